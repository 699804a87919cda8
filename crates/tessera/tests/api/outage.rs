//! A database outage for one PostgreSQL test app: its schema renamed away, so every query the app
//! makes fails, until it is renamed back. The server keeps running and its connections stay open.

use crate::common::TestApp;
use tessera_store::DatabaseConfig;

pub struct Outage {
    pool: sqlx::PgPool,
    schema: String,
}

impl Outage {
    /// Takes `app`'s tables out of reach.
    pub async fn begin(app: &TestApp) -> Self {
        let DatabaseConfig::Postgres {
            schema: Some(schema),
            ..
        } = &app.settings.database
        else {
            panic!("a PostgreSQL test app has its own schema");
        };
        let pool = sqlx::PgPool::connect(&std::env::var("TESSERA_TEST_POSTGRES_URL").unwrap())
            .await
            .unwrap();
        let outage = Self {
            pool,
            schema: schema.clone(),
        };
        outage.rename(schema, &outage.away()).await;
        outage
    }

    /// Brings the tables back.
    pub async fn end(self) {
        self.rename(&self.away(), &self.schema).await;
    }

    fn away(&self) -> String {
        format!("{}_away", self.schema)
    }

    async fn rename(&self, from: &str, to: &str) {
        sqlx::query(&format!("ALTER SCHEMA {from} RENAME TO {to}"))
            .execute(&self.pool)
            .await
            .unwrap();
    }
}
