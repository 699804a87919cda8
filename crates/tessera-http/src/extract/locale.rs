//! Locales as Metabase's `ValidLocale` takes them (reference §1.3): a two-letter ISO 639-1 language,
//! optionally with an ISO 3166-1 country, `_` or `-` between, any case; stored as `es_MX`.
//!
//! Metabase asks the JVM whether it has the locale; these lists are the standards that question
//! rests on, so an invented code (`xx`, `en_XX`) is refused as it is there.

/// The languages Tessera offers (`/api/session/properties`' `available-locales`, the account page's
/// choice): code and name. Other valid locales are kept when set through the API or an import.
pub const AVAILABLE_LOCALES: &[(&str, &str)] = &[("en", "English")];

/// ISO 639-1, plus the old codes Java still answers to (`iw`, `in`, `ji`).
const LANGUAGES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co \
     cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi \
     ho hr ht hu hy hz ia id ie ig ii ik in io is it iu iw ja ji jv ka kg ki kj kk kl km kn ko kr ks \
     ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr \
     nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss \
     st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh \
     zu";

/// ISO 3166-1 alpha-2, plus `XK` (Kosovo), which Java's locale data uses.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ \
     BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE \
     DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR \
     GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP \
     KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
     MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW \
     PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG \
     TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM \
     ZW";

fn listed(list: &str, code: &str) -> bool {
    list.split_ascii_whitespace().any(|c| c == code)
}

/// `en`, `en_US`, `es-mx` → `en`, `en_US`, `es_MX`; `None` for anything that is not a known
/// language, or a known language and country.
pub fn normalize_locale(raw: &str) -> Option<String> {
    let mut parts = raw.trim().split(['_', '-']);
    let lang = parts.next()?.to_ascii_lowercase();
    let country = parts.next().map(str::to_ascii_uppercase);
    if parts.next().is_some() || lang.len() != 2 || !listed(LANGUAGES, &lang) {
        return None;
    }
    match country {
        None => Some(lang),
        Some(c) if c.len() == 2 && listed(COUNTRIES, &c) => Some(format!("{lang}_{c}")),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_hold_two_letter_codes() {
        let languages: Vec<&str> = LANGUAGES.split_ascii_whitespace().collect();
        let countries: Vec<&str> = COUNTRIES.split_ascii_whitespace().collect();
        assert_eq!((languages.len(), countries.len()), (186, 250));
        assert!(languages
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(countries
            .iter()
            .all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert!(
            languages.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(
            countries.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
    }

    #[test]
    fn known_locales_normalise_and_invented_ones_do_not() {
        for (raw, want) in [
            ("en", "en"),
            ("EN", "en"),
            ("es-mx", "es_MX"),
            ("en_US", "en_US"),
            (" pt-br ", "pt_BR"),
            ("zh_TW", "zh_TW"),
            ("sr_XK", "sr_XK"),
        ] {
            assert_eq!(normalize_locale(raw).as_deref(), Some(want), "{raw}");
        }
        for raw in [
            "",
            "english",
            "en_USA",
            "xx",
            "zz_ZZ",
            "en_XX",
            "en-",
            "en_US_POSIX",
            "e1",
            "éa",
        ] {
            assert_eq!(normalize_locale(raw), None, "{raw}");
        }
    }
}
