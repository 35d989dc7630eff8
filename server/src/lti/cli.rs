//! `berth lti ...`: registering platforms and rotating Berth's key,
//! straight against the database.

use anyhow::{Context, bail};

use super::{JWKS_PATH, LAUNCH_PATH, LOGIN_PATH};
use crate::config::{AddPlatform, LtiAction, LtiArgs};
use crate::store::{NewPlatform, Store};
use berth_app::model::Millis;

pub async fn run(args: LtiArgs) -> anyhow::Result<()> {
    let store = args.database.open().await?;
    let result = act(&store, args.action).await;
    store.close().await;
    result
}

async fn act(store: &Store, action: LtiAction) -> anyhow::Result<()> {
    match action {
        LtiAction::AddPlatform(add) => add_platform(store, add).await,
        LtiAction::List => {
            let platforms = store.lti_platforms().await?;
            for p in &platforms {
                println!("{}  client {}", p.issuer, p.client_id);
                println!("    deployments  {}", p.deployment_ids.join(", "));
                println!("    auth         {}", p.auth_url);
                println!("    token        {}", p.token_url);
                println!("    key set      {}", p.jwks_url);
            }
            eprintln!(
                "{} platform{}",
                platforms.len(),
                if platforms.len() == 1 { "" } else { "s" }
            );
            for key in store.lti_keys().await? {
                let state = match key.retired_at {
                    None => "signing".to_string(),
                    Some(at) => format!("retired {}", format_time(at)),
                };
                println!("key {}  {state}", key.kid);
            }
            Ok(())
        }
        LtiAction::RotateKey { keep } => {
            let (kid, der) = tokio::task::spawn_blocking(super::new_signing_key).await??;
            let keep_ms = i64::try_from(keep.as_millis()).context("--keep is too long")?;
            let old_expires = Millis(Millis::now().get() + keep_ms);
            store.add_lti_key(&kid, &der, old_expires).await?;
            println!("key {kid} signs from now on");
            eprintln!("the previous key is still published until {}", format_time(old_expires));
            Ok(())
        }
    }
}

fn format_time(at: Millis) -> humantime::Rfc3339Timestamp {
    humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_millis(at.get().max(0) as u64))
}

async fn add_platform(store: &Store, add: AddPlatform) -> anyhow::Result<()> {
    for (flag, url) in [
        ("--issuer", &add.issuer),
        ("--auth-url", &add.auth_url),
        ("--token-url", &add.token_url),
        ("--jwks-url", &add.jwks_url),
    ] {
        if !secure_or_local(url) {
            bail!("{flag} must be an https:// URL (plain http only on this machine's loopback): `{url}`");
        }
    }
    if add.client_id.trim().is_empty() || add.deployment_ids.iter().any(|d| d.trim().is_empty()) {
        bail!("the client id and deployment ids may not be empty");
    }
    let platform = store
        .upsert_lti_platform(NewPlatform {
            issuer: &add.issuer,
            client_id: &add.client_id,
            deployment_ids: &add.deployment_ids,
            auth_url: &add.auth_url,
            token_url: &add.token_url,
            jwks_url: &add.jwks_url,
        })
        .await?;
    println!(
        "registered {} (client {}, deployments {})",
        platform.issuer,
        platform.client_id,
        platform.deployment_ids.join(", ")
    );
    let base = add.public_url.as_deref().unwrap_or("https://BERTH-ADDRESS");
    println!("give the platform these URLs:");
    println!("    login initiation (OIDC login) URL   {base}{LOGIN_PATH}");
    println!("    launch URL and redirect URI         {base}{LAUNCH_PATH}");
    println!("    public key set (JWKS) URL           {base}{JWKS_PATH}");
    if add.public_url.is_none() {
        eprintln!("(pass --public-url or set BERTH_PUBLIC_URL to print Berth's real address)");
    }
    Ok(())
}

/// https, or http to this machine (a platform under test beside Berth).
fn secure_or_local(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    match scheme {
        "https" => !host.is_empty(),
        "http" => matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::secure_or_local;

    #[test]
    fn platform_urls_are_https_or_loopback() {
        assert!(secure_or_local("https://moodle.school.org/mod/lti/auth.php"));
        assert!(secure_or_local("http://127.0.0.1:8123/auth"));
        assert!(secure_or_local("http://localhost/jwks"));
        assert!(!secure_or_local("http://moodle.school.org/auth"));
        assert!(!secure_or_local("http://127.0.0.1.evil.example/auth"));
        assert!(!secure_or_local("ftp://x"));
        assert!(!secure_or_local("https://"));
    }
}
