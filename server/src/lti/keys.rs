//! Berth's own RSA keys, which platforms find at `/.well-known/jwks.json`
//! (they verify what Berth signs: grade requests, deep links). Kept in the
//! database rather than the data folder: every Berth server of an install
//! shares the database, and a backup of it is a backup of the keys.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::Lti;
use crate::store::{Lock, SigningKey, Store, StoreError};
use berth_app::model::Millis;

/// A new 2048-bit key: its `kid` (the RFC 7638 thumbprint of its public
/// half) and its PKCS#1 DER in base64. Takes a second or more.
pub fn new_signing_key() -> anyhow::Result<(String, String)> {
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, 2048)?;
    let der = key.to_pkcs1_der()?;
    let jwk = public_jwk(&key, "");
    let thumbprint = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        jwk["e"].as_str().unwrap_or_default(),
        jwk["n"].as_str().unwrap_or_default()
    );
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
    Ok((kid, STANDARD.encode(der.as_bytes())))
}

fn public_jwk(key: &rsa::RsaPrivateKey, kid: &str) -> Value {
    let b64 = |n: &rsa::BigUint| URL_SAFE_NO_PAD.encode(n.to_bytes_be());
    json!({
        "kty": "RSA",
        "alg": "RS256",
        "use": "sig",
        "kid": kid,
        "n": b64(key.n()),
        "e": b64(key.e()),
    })
}

/// The keys still served, the signing one first; makes the first key
/// when there is none yet.
async fn served_keys(lti: &Lti, store: &Store) -> anyhow::Result<Vec<SigningKey>> {
    let keys = store.lti_keys().await?;
    if !keys.is_empty() {
        return Ok(keys);
    }
    // Once, however many ask at once, in this process and in others.
    let _here = lti.first_key.lock().await;
    let everywhere = store.lock(Lock::FirstKey).await?;
    let mut keys = store.lti_keys().await?;
    if keys.is_empty() {
        let (kid, der) = tokio::task::spawn_blocking(new_signing_key).await??;
        store.add_lti_key(&kid, &der, Millis::now()).await?;
        tracing::info!(kid, "made Berth's first LTI signing key");
        keys = store.lti_keys().await?;
    }
    everywhere.release().await?;
    Ok(keys)
}

/// The public key set: every key still served, the signing one first.
pub async fn key_set(lti: &Lti, store: &Store) -> anyhow::Result<Value> {
    let keys = served_keys(lti, store).await?;
    let jwks = keys.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "keys": jwks }))
}

/// The key Berth signs with now (made on first need), as its `kid` and a
/// key for `jsonwebtoken`.
pub(super) async fn signing_key(lti: &Lti, store: &Store) -> anyhow::Result<(String, jsonwebtoken::EncodingKey)> {
    let key = served_keys(lti, store)
        .await?
        .into_iter()
        .find(|k| k.retired_at.is_none())
        .ok_or_else(|| anyhow::anyhow!("every signing key is retired"))?;
    let der = STANDARD.decode(&key.private_der)?;
    Ok((key.kid, jsonwebtoken::EncodingKey::from_rsa_der(&der)))
}

fn decode(key: &SigningKey) -> Result<Value, StoreError> {
    let unreadable = || StoreError::OutOfRange("lti_keys.private_der");
    let der = STANDARD.decode(&key.private_der).map_err(|_| unreadable())?;
    let private = rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(|_| unreadable())?;
    Ok(public_jwk(&private, &key.kid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_is_named_by_its_thumbprint_and_reads_back() {
        let (kid, der) = new_signing_key().unwrap();
        let jwk = decode(&SigningKey {
            kid: kid.clone(),
            private_der: der,
            retired_at: None,
            expires_at: None,
        })
        .unwrap();
        assert_eq!(jwk["kid"], kid.as_str());
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap().len(), 256);
        assert_eq!(kid.len(), 43, "a base64url SHA-256");
    }
}
