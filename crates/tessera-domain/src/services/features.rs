//! What a user may do: the union of their groups' features, or every known feature for an admin.
//! Shared by the group service and every check that asks for a feature.

use super::deps::Deps;
use crate::types::error::Error;
use crate::types::group::BUILT_IN_FEATURES;
use crate::types::user::User;

pub async fn features(deps: &Deps, user: &User) -> Result<Vec<String>, Error> {
    let mut features = if user.is_superuser {
        let mut all = deps.store.all_features().await?;
        all.extend(BUILT_IN_FEATURES.iter().map(|f| f.to_string()));
        all
    } else if holds_all_own_groups(deps, user).await? {
        // The usual case: per person, which the store can answer from its cache.
        deps.store.user_features(user.id).await?
    } else {
        // A personal key's view of its owner holds fewer groups, and only their features.
        deps.store
            .groups()
            .await?
            .into_iter()
            .filter(|g| user.group_ids.contains(&g.id))
            .flat_map(|g| g.features)
            .collect()
    };
    features.sort();
    features.dedup();
    Ok(features)
}

/// Whether this user value holds every group its person holds (not a personal key's narrower view).
async fn holds_all_own_groups(deps: &Deps, user: &User) -> Result<bool, Error> {
    let stored = deps.store.user_group_ids(user.id).await?;
    Ok(stored.is_some_and(|ids| ids.iter().all(|g| user.group_ids.contains(g))))
}

/// `MissingFeature` unless the user holds `feature`.
pub async fn require_feature(deps: &Deps, user: &User, feature: &str) -> Result<(), Error> {
    if user.is_superuser || features(deps, user).await?.iter().any(|f| f == feature) {
        Ok(())
    } else {
        Err(Error::MissingFeature(feature.to_string()))
    }
}
