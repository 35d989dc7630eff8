//! Lab hosts: the Docker engines labs are placed on, with what each may
//! hold. Placement reads and records capacity in the transaction that
//! records the lab (see [`Store::insert_lab`]).

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use berth_app::model::{HostName, HostState, LabId, LabStatus, Millis};

use super::{RowExt, Store, StoreError};

/// A lab host as the operator listed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostRow {
    pub name: HostName,
    /// `unix:///path`, `tcp://host:port` or `ssh://user@host:port`.
    pub url: String,
    /// The folder of `ca.pem`, `cert.pem` and `key.pem` for a `tcp://`
    /// engine, as the docker CLI names them.
    pub tls_dir: Option<String>,
    /// For `ssh://`: the private key to log in with (else ssh's own
    /// configuration and agent) and the known_hosts file the host's key is
    /// checked against (else that of the user Berth runs as).
    pub ssh_key: Option<String>,
    pub known_hosts: Option<String>,
    /// Labs it may run at once.
    pub max_labs: usize,
    /// Memory its labs may be given together, in MiB.
    pub memory_mb: u64,
    pub state: HostState,
}

/// A host and what its live labs take of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostLoad {
    pub host: HostRow,
    pub labs: usize,
    pub memory_mb: u64,
}

impl HostLoad {
    /// Whether a lab of `memory_mb` fits beside the ones it runs.
    pub fn fits(&self, memory_mb: u64) -> bool {
        self.labs < self.host.max_labs && self.memory_mb + memory_mb <= self.host.memory_mb
    }
}

/// Where a new lab goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// No host is listed: the engine `DOCKER_HOST` names, as on one machine.
    Default,
    Host(HostName),
}

impl Placement {
    pub fn host(&self) -> Option<&HostName> {
        match self {
            Placement::Default => None,
            Placement::Host(name) => Some(name),
        }
    }
}

/// Why a host could not be removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveHostError {
    #[error("there is no lab host named `{0}`")]
    Unknown(HostName),
    #[error("`{0}` still runs {1} lab(s): drain it (`berth hosts drain {0}`) and remove it once they have ended")]
    Busy(HostName, usize),
    #[error(transparent)]
    Store(#[from] StoreError),
}

const HOST_COLUMNS: &str = "h.name, h.url, h.tls_dir, h.ssh_key, h.known_hosts, h.max_labs, h.memory_mb, h.state";

/// Every host with its live labs counted, in the order placement prefers:
/// fewest labs first, then by name.
const LOADS: &str = "SELECT h.name, h.url, h.tls_dir, h.ssh_key, h.known_hosts, h.max_labs, h.memory_mb, h.state, \
     COUNT(l.id) AS labs, CAST(COALESCE(SUM(l.memory_mb), 0) AS BIGINT) AS used \
     FROM lab_hosts h LEFT JOIN labs l ON l.host = h.name AND l.status <> $1 \
     GROUP BY h.name, h.url, h.tls_dir, h.ssh_key, h.known_hosts, h.max_labs, h.memory_mb, h.state \
     ORDER BY COUNT(l.id), h.name";

impl HostRow {
    fn from_row(r: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            name: r.id("name")?,
            url: r.try_get("url")?,
            tls_dir: r.try_get("tls_dir")?,
            ssh_key: r.try_get("ssh_key")?,
            known_hosts: r.try_get("known_hosts")?,
            max_labs: r.count("max_labs")?,
            memory_mb: r.count("memory_mb")?,
            state: r.parsed("state")?,
        })
    }
}

fn load_from_row(r: &AnyRow) -> Result<HostLoad, StoreError> {
    Ok(HostLoad {
        host: HostRow::from_row(r)?,
        labs: r.count("labs")?,
        memory_mb: r.count("used")?,
    })
}

/// What a new lab needs of its host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needs {
    /// The lab image, as the engine names it (`berth/lab-shell`).
    pub image: String,
    /// Every node's memory together, in MiB.
    pub memory_mb: u64,
}

/// What placement found for a lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placed {
    On(Placement),
    /// Hosts are listed and none that takes labs has room.
    NoRoom,
    /// Hosts that take labs have room, but none of them has the lab's
    /// image (or, for a docker lab, a filled registry mirror): `hosts` are
    /// the ones that lack it.
    MissingImage {
        image: String,
        hosts: Vec<HostName>,
    },
}

/// The hosts that hold `image`, as last found.
async fn holders(conn: &mut AnyConnection, image: &str) -> Result<Vec<HostName>, StoreError> {
    let hosts: Vec<String> = sqlx::query_scalar("SELECT host FROM lab_host_images WHERE image = $1")
        .bind(image)
        .fetch_all(conn)
        .await?;
    Ok(hosts.into_iter().map(HostName::new).collect())
}

/// Chooses the host for a lab on `conn` (the transaction that records the
/// lab): the least busy active host with room for it that has its image.
pub(super) async fn place(conn: &mut AnyConnection, needs: &Needs) -> Result<Placed, StoreError> {
    let rows = sqlx::query(LOADS)
        .bind(LabStatus::Ended.as_str())
        .fetch_all(&mut *conn)
        .await?;
    if rows.is_empty() {
        return Ok(Placed::On(Placement::Default));
    }
    let holding = holders(&mut *conn, &needs.image).await?;
    let mut lacking = Vec::new();
    for row in &rows {
        let load = load_from_row(row)?;
        if load.host.state != HostState::Active || !load.fits(needs.memory_mb) {
            continue;
        }
        if holding.contains(&load.host.name) {
            return Ok(Placed::On(Placement::Host(load.host.name)));
        }
        lacking.push(load.host.name);
    }
    Ok(match lacking.is_empty() {
        true => Placed::NoRoom,
        false => Placed::MissingImage {
            image: needs.image.clone(),
            hosts: lacking,
        },
    })
}

impl Store {
    /// Lists a host, active; `false` if one has that name already.
    pub async fn add_host(&self, host: &HostRow) -> Result<bool, StoreError> {
        let added = sqlx::query(
            "INSERT INTO lab_hosts (name, url, tls_dir, ssh_key, known_hosts, max_labs, memory_mb, state, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(host.name.as_str())
        .bind(&host.url)
        .bind(host.tls_dir.as_deref())
        .bind(host.ssh_key.as_deref())
        .bind(host.known_hosts.as_deref())
        .bind(host.max_labs as i64)
        .bind(host.memory_mb as i64)
        .bind(host.state.as_str())
        .bind(Millis::now().get())
        .execute(self.pool())
        .await;
        match added {
            Ok(_) => Ok(true),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Every listed host with what its live labs take, placement's
    /// favourite first.
    pub async fn host_loads(&self) -> Result<Vec<HostLoad>, StoreError> {
        let rows = sqlx::query(LOADS)
            .bind(LabStatus::Ended.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(load_from_row).collect()
    }

    /// Where a lab would be placed now (always the default engine, with no
    /// host listed).
    pub async fn room_for(&self, needs: &Needs) -> Result<Placed, StoreError> {
        let mut conn = self.pool().acquire().await?;
        place(&mut conn, needs).await
    }

    /// The oldest waiting pool lab whose end would make room for a lab
    /// with `needs`: on an active host that has the lab's image and is
    /// full only because of it. `None` when giving one back would not help.
    pub async fn pool_lab_making_room(&self, needs: &Needs) -> Result<Option<LabId>, StoreError> {
        let loads = self.host_loads().await?;
        let holding = holders(&mut *self.pool().acquire().await?, &needs.image).await?;
        for lab in self.pool_labs().await? {
            let load = lab.host.as_ref().and_then(|h| loads.iter().find(|l| &l.host.name == h));
            let Some(load) = load.filter(|l| l.host.state == HostState::Active && lab.is_ready()) else {
                continue;
            };
            let without = HostLoad {
                host: load.host.clone(),
                labs: load.labs.saturating_sub(1),
                memory_mb: load.memory_mb.saturating_sub(lab.memory_mb),
            };
            if without.fits(needs.memory_mb) && holding.contains(&load.host.name) {
                return Ok(Some(lab.id));
            }
        }
        Ok(None)
    }

    /// Records the lab images `host` can run labs of now, replacing what
    /// was known.
    pub async fn set_host_images(&self, host: &HostName, images: &[String]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM lab_host_images WHERE host = $1")
            .bind(host.as_str())
            .execute(&mut *tx)
            .await?;
        for image in images {
            sqlx::query("INSERT INTO lab_host_images (host, image) VALUES ($1, $2)")
                .bind(host.as_str())
                .bind(image)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The lab images `host` can run labs of, as last found, sorted.
    pub async fn host_images(&self, host: &HostName) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT image FROM lab_host_images WHERE host = $1 ORDER BY image")
                .bind(host.as_str())
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn host(&self, name: &HostName) -> Result<Option<HostRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {HOST_COLUMNS} FROM lab_hosts h WHERE h.name = $1"))
            .bind(name.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(HostRow::from_row).transpose()
    }

    /// `false` if there is no such host.
    pub async fn set_host_state(&self, name: &HostName, state: HostState) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE lab_hosts SET state = $2 WHERE name = $1")
            .bind(name.as_str())
            .bind(state.as_str())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks an active host lost; `false` if it was not active (a
    /// draining host stays draining: the operator took it out already).
    pub async fn mark_host_lost(&self, name: &HostName) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE lab_hosts SET state = $2 WHERE name = $1 AND state = $3")
            .bind(name.as_str())
            .bind(HostState::Lost.as_str())
            .bind(HostState::Active.as_str())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Notes that a host did not answer a sweep; since when it has been
    /// silent.
    pub async fn host_silent(&self, name: &HostName, now: Millis) -> Result<Millis, StoreError> {
        sqlx::query("UPDATE lab_hosts SET unanswered_since = COALESCE(unanswered_since, $2) WHERE name = $1")
            .bind(name.as_str())
            .bind(now.get())
            .execute(self.pool())
            .await?;
        let since: Option<Option<i64>> = sqlx::query_scalar("SELECT unanswered_since FROM lab_hosts WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(self.pool())
            .await?;
        Ok(since.flatten().map_or(now, Millis))
    }

    /// Forgets a host's silence: it answered a sweep.
    pub async fn host_answered(&self, name: &HostName) -> Result<(), StoreError> {
        sqlx::query("UPDATE lab_hosts SET unanswered_since = NULL WHERE name = $1 AND unanswered_since IS NOT NULL")
            .bind(name.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes a host that runs no live lab. Under the admission lock, so
    /// no replica places a lab on it between the count and the delete.
    pub async fn remove_host(&self, name: &HostName) -> Result<(), RemoveHostError> {
        let admitting = self.lock(super::Lock::Admission).await?;
        let Some(load) = self.host_loads().await?.into_iter().find(|l| &l.host.name == name) else {
            return Err(RemoveHostError::Unknown(name.clone()));
        };
        if load.labs > 0 {
            return Err(RemoveHostError::Busy(name.clone(), load.labs));
        }
        // Guarded as well: on SQLite the lock is the process's own, and a
        // server may place a lab between the count and here.
        let removed = sqlx::query(
            "DELETE FROM lab_hosts WHERE name = $1 \
             AND NOT EXISTS (SELECT 1 FROM labs WHERE host = $1 AND status <> $2)",
        )
        .bind(name.as_str())
        .bind(LabStatus::Ended.as_str())
        .execute(self.pool())
        .await
        .map_err(StoreError::from)?;
        admitting.release().await?;
        if removed.rows_affected() == 0 {
            return Err(RemoveHostError::Busy(name.clone(), 1));
        }
        Ok(())
    }

    /// The host a lab was placed on, whatever its state (`None`: the
    /// default engine, or no such lab).
    pub async fn lab_host(&self, lab: &LabId) -> Result<Option<HostName>, StoreError> {
        let host: Option<Option<String>> = sqlx::query_scalar("SELECT host FROM labs WHERE id = $1")
            .bind(lab.as_str())
            .fetch_optional(self.pool())
            .await?;
        Ok(host.flatten().map(HostName::new))
    }

    /// Whether a live lab runs on the default engine (placed before any
    /// host was listed).
    pub async fn default_engine_in_use(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM labs WHERE host IS NULL AND status <> $1")
            .bind(LabStatus::Ended.as_str())
            .fetch_one(self.pool())
            .await?;
        Ok(n > 0)
    }
}
