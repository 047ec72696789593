//! Push for the vault's accounts: enrol, find pending requests, answer, check, unregister.
//!
//! These functions do the I/O with the server and keep the vault's push state in step with
//! what the server said (active, revoked, clock offset, last problem).

use otentik_protocol::answer::Decision;
use otentik_protocol::challenge::Challenge;
use otentik_protocol::device_api::AnswerResponse;
use otentik_protocol::keys::{self, SigningKey, VerifyingKey};

use super::client::{Device, PushClient};
use super::clock;
use super::transport::ServerUrl;
use crate::error::{Error, Result};
use crate::otp;
use crate::vault::{PushRecord, PushState, StoredAccount, Vault, label};

/// A login request waiting for the user's answer.
#[derive(Debug, Clone)]
pub struct PendingRequest {
    /// The vault account it is for.
    pub account_id: String,
    /// The account's label in Otentik.
    pub account_label: String,
    /// The verified challenge (site, account at the site, IP, browser, times, numbers).
    pub challenge: Challenge,
}

/// What the server says about an account's push enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushStatus {
    /// Enrolled and active at the site.
    Active,
    /// Waiting to enrol (the server could not be reached).
    Pending,
    /// The site disabled or reset TOTP.
    Revoked,
    /// Enrolment was refused for good (an expired QR, say).
    Failed,
    /// The server did not answer.
    Unreachable(String),
}

/// One account's device credentials, loaded from the keyring.
pub struct DeviceKeys {
    /// Vault account id.
    pub account_id: String,
    /// Label, for messages.
    pub label: String,
    /// Device id at the server.
    pub device_id: String,
    /// The key that signs: the device key, or while the vault is locked the poll-only key
    /// ([`poll_keys`]), which the server takes for polls and status requests alone.
    pub key: SigningKey,
    /// The pinned server key.
    pub server_key: VerifyingKey,
    /// The server's clock offset learned last (server minus device), in seconds.
    pub clock_offset: i64,
}

impl DeviceKeys {
    /// As the client wants it.
    pub fn device(&self) -> Device<'_> {
        Device {
            id: &self.device_id,
            key: &self.key,
            server_key: &self.server_key,
        }
    }
}

/// Enrols the account's device at its push server (after `add`, or to retry a pending one).
///
/// The device key is made here and written to the keyring *before* the server hears of it,
/// so a crash cannot leave a server-side device whose key we lost. An unreachable server
/// leaves the account pending, with the reason, for a later retry.
pub async fn enroll(
    vault: &mut Vault,
    client: &PushClient,
    id: &str,
    device_name: &str,
    now: u64,
) -> Result<StoredAccount> {
    let stored = vault.get(id)?.clone();
    let Some(push) = stored.push.clone() else {
        return Err(Error::NotPushAccount {
            label: label(&stored),
        });
    };
    if push.state == PushState::Active {
        return Ok(stored);
    }
    let mut secrets = vault.secrets(id)?;
    let Some(token) = secrets.push_token.clone() else {
        return Err(Error::PushEnrollmentRefused {
            detail: "the one-time enrolment token is no longer kept".to_owned(),
        });
    };
    let token = String::from_utf8_lossy(token.expose()).into_owned();
    let server = match ServerUrl::parse(&push.url) {
        Ok(server) => server,
        Err(error) => return fail(vault, id, PushState::Failed, error),
    };
    let key = match &secrets.device_key {
        Some(key) => signing_key(key.expose(), &label(&stored))?,
        None => {
            let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
            secrets.device_key = Some(crate::Secret::new(key.to_bytes().to_vec()));
            vault.set_secrets(id, &secrets)?;
            key
        }
    };
    // The poll-only key, kept outside the seal so a locked app can poll; made and kept before
    // the server hears of it, like the device key.
    let poll_key = match vault.poll_key(id)? {
        Some(poll) => signing_key(poll.expose(), &label(&stored))?,
        None => {
            let poll = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
            vault.set_poll_key(id, Some(&poll.to_bytes()))?;
            poll
        }
    };
    let account = vault.account(id)?;
    let code_at = |t: u64| otp::code_at(&account, t);
    match client
        .enroll(
            &server,
            &key,
            Some(&poll_key.verifying_key()),
            &token,
            code_at,
            device_name,
            now,
        )
        .await
    {
        Ok(reply) => {
            let response = reply.body;
            let server_key = keys::public_key_from_wire("server_key", &response.server_key)
                .map_err(|e| Error::PushProtocol {
                    detail: e.to_string(),
                })?;
            if let Some(pin) = &push.key_pin
                && keys::fingerprint(&server_key) != *pin
            {
                let error = Error::PushKeyMismatch {
                    server: server.host(),
                };
                return fail(vault, id, PushState::Failed, error);
            }
            if !otentik_protocol::request::is_id(&response.device_id) {
                return Err(Error::PushProtocol {
                    detail: "the device id is malformed".to_owned(),
                });
            }
            let offset = clock::offset(response.server_time, now);
            let updated = vault.update(id, |a| {
                a.push = Some(PushRecord {
                    url: push.url.clone(),
                    state: PushState::Active,
                    device_id: Some(response.device_id.clone()),
                    server_key: Some(keys::public_key_to_wire(&server_key)),
                    key_pin: push.key_pin.clone(),
                    clock_offset: offset,
                    last_error: None,
                    poll_key: true,
                });
            })?;
            secrets.push_token = None;
            vault.set_secrets(id, &secrets)?;
            Ok(updated)
        }
        Err(error @ (Error::PushUnreachable { .. } | Error::PushProtocol { .. })) => {
            fail(vault, id, PushState::Pending, error)
        }
        Err(Error::PushRejected { message, .. }) => {
            let error = Error::PushEnrollmentRefused { detail: message };
            fail(vault, id, PushState::Failed, error)
        }
        Err(error) => fail(vault, id, PushState::Failed, error),
    }
}

fn fail(vault: &mut Vault, id: &str, state: PushState, error: Error) -> Result<StoredAccount> {
    let message = error.to_string();
    vault.update(id, |a| {
        if let Some(push) = a.push.as_mut() {
            push.state = state;
            push.last_error = Some(message);
        }
    })?;
    Err(error)
}

/// Device credentials of every active push account, grouped by server (one long-poll each).
///
/// While the vault is locked the device keys are sealed: the accounts enrolled with a
/// poll-only key poll with it (requests arrive and are announced, but cannot be answered
/// until the unlock); those enrolled before it are left out.
pub fn devices_by_server(vault: &Vault) -> Result<Vec<(ServerUrl, Vec<DeviceKeys>)>> {
    let locked = vault.is_locked();
    let mut groups: Vec<(ServerUrl, Vec<DeviceKeys>)> = Vec::new();
    for stored in vault.accounts() {
        let keys = if locked {
            poll_keys(vault, stored)?
        } else {
            device_keys(vault, stored)?
        };
        let Some(keys) = keys else {
            continue;
        };
        let Some(push) = &stored.push else { continue };
        let server = ServerUrl::parse(&push.url)?;
        match groups.iter_mut().find(|(s, _)| *s == server) {
            Some((_, devices)) => devices.push(keys),
            None => groups.push((server, vec![keys])),
        }
    }
    Ok(groups)
}

/// The device credentials of one account, when it is actively enrolled.
pub fn device_keys(vault: &Vault, stored: &StoredAccount) -> Result<Option<DeviceKeys>> {
    let Some(push) = &stored.push else {
        return Ok(None);
    };
    if push.state != PushState::Active {
        return Ok(None);
    }
    let (Some(device_id), Some(server_key)) = (&push.device_id, &push.server_key) else {
        return Ok(None);
    };
    let secrets = vault.secrets(&stored.id)?;
    let Some(device_key) = &secrets.device_key else {
        return Err(Error::SecretDamaged {
            label: label(stored),
        });
    };
    keys_of(stored, device_id, server_key, device_key.expose()).map(Some)
}

/// The credentials a locked vault polls with: the poll-only key in place of the device key
/// (it signs polls and status requests only). `None` for an account without one.
pub fn poll_keys(vault: &Vault, stored: &StoredAccount) -> Result<Option<DeviceKeys>> {
    let Some(push) = &stored.push else {
        return Ok(None);
    };
    if push.state != PushState::Active || !push.poll_key {
        return Ok(None);
    }
    let (Some(device_id), Some(server_key)) = (&push.device_id, &push.server_key) else {
        return Ok(None);
    };
    let Some(poll_key) = vault.poll_key(&stored.id)? else {
        return Ok(None);
    };
    keys_of(stored, device_id, server_key, poll_key.expose()).map(Some)
}

fn keys_of(
    stored: &StoredAccount,
    device_id: &str,
    server_key: &str,
    signing: &[u8],
) -> Result<DeviceKeys> {
    Ok(DeviceKeys {
        account_id: stored.id.clone(),
        label: label(stored),
        device_id: device_id.to_owned(),
        key: signing_key(signing, &label(stored))?,
        server_key: keys::public_key_from_wire("server_key", server_key).map_err(|_| {
            Error::SecretDamaged {
                label: label(stored),
            }
        })?,
        clock_offset: stored.push.as_ref().map_or(0, |p| p.clock_offset),
    })
}

/// Of `candidates` (devices a server called revoked, unsigned), those whose revocation the
/// server confirms with a signed status. The others stay as they are: an unsigned 410 or
/// `revoked` list is not enough to drop an account's push.
pub async fn confirm_revoked(
    client: &PushClient,
    server: &ServerUrl,
    candidates: &[&DeviceKeys],
    now: u64,
) -> (Vec<String>, Vec<Error>) {
    let mut revoked = Vec::new();
    let mut problems = Vec::new();
    for keys in candidates {
        match client.status(server, &keys.device(), now).await {
            Err(Error::PushRevoked) => revoked.push(keys.device_id.clone()),
            Ok(_) => {}
            Err(error) => problems.push(error),
        }
    }
    (revoked, problems)
}

fn signing_key(bytes: &[u8], label: &str) -> Result<SigningKey> {
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| Error::SecretDamaged {
        label: label.to_owned(),
    })?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Polls every push server once (waiting up to `wait` s) and returns the pending requests,
/// newest first. Revocations and clock offsets are recorded in the vault; a server that does
/// not answer is reported in the second list and does not hide the others' requests.
pub async fn pending(
    vault: &mut Vault,
    client: &PushClient,
    wait: u64,
    now: u64,
) -> Result<(Vec<PendingRequest>, Vec<Error>)> {
    let mut requests = Vec::new();
    let mut problems = Vec::new();
    for (server, devices) in devices_by_server(vault)? {
        let handles: Vec<_> = devices.iter().map(DeviceKeys::device).collect();
        let learned = devices.first().map(|d| d.clock_offset);
        match client.poll(&server, &handles, wait, now, learned).await {
            Ok(polled) => {
                let offset = clock::offset(polled.server_time, now);
                let listed: Vec<&DeviceKeys> = devices
                    .iter()
                    .filter(|d| polled.revoked.contains(&d.device_id))
                    .collect();
                let (revoked, unconfirmed) = confirm_revoked(client, &server, &listed, now).await;
                problems.extend(unconfirmed);
                for device in &devices {
                    let revoked = revoked.contains(&device.device_id);
                    record(vault, &device.account_id, revoked, offset)?;
                }
                for challenge in polled.challenges {
                    if let Some(device) =
                        devices.iter().find(|d| d.device_id == challenge.device_id)
                    {
                        requests.push(PendingRequest {
                            account_id: device.account_id.clone(),
                            account_label: device.label.clone(),
                            challenge,
                        });
                    }
                }
            }
            Err(Error::PushRevoked) => {
                let all: Vec<&DeviceKeys> = devices.iter().collect();
                let (revoked, unconfirmed) = confirm_revoked(client, &server, &all, now).await;
                problems.extend(unconfirmed);
                for device in devices.iter().filter(|d| revoked.contains(&d.device_id)) {
                    record(vault, &device.account_id, true, 0)?;
                }
            }
            Err(error) => problems.push(error),
        }
    }
    requests.sort_by_key(|r| std::cmp::Reverse(r.challenge.created_at));
    Ok((requests, problems))
}

/// Records what a server said about an account: revoked or not, and its clock offset.
pub fn record(vault: &mut Vault, id: &str, revoked: bool, offset: i64) -> Result<()> {
    let current = vault.get(id)?.push.clone();
    let Some(push) = current else { return Ok(()) };
    let state = if revoked {
        PushState::Revoked
    } else {
        push.state
    };
    // Offsets are measured to the second around a network round trip: jitter of a second or
    // two is not news, and not worth a metadata write.
    let offset_moved = push.clock_offset.abs_diff(offset) > 2;
    if push.state == state && (revoked || !offset_moved) && push.last_error.is_none() {
        return Ok(());
    }
    vault.update(id, |a| {
        if let Some(p) = a.push.as_mut() {
            p.state = state;
            if !revoked {
                p.clock_offset = offset;
            }
            p.last_error = None;
        }
    })?;
    Ok(())
}

/// Answers the pending request `request_id` (found by polling without waiting).
pub async fn answer(
    vault: &mut Vault,
    client: &PushClient,
    request_id: &str,
    decision: Decision,
    number: Option<u8>,
    now: u64,
) -> Result<(PendingRequest, AnswerResponse)> {
    let (requests, problems) = pending(vault, client, 0, now).await?;
    let Some(request) = requests.into_iter().find(|r| r.challenge.id == request_id) else {
        return Err(problems.into_iter().next().unwrap_or(Error::PushChallengeGone {
            reason: "it is not pending: it expired, was answered, or was replaced by a newer one",
        }));
    };
    let stored = vault.get(&request.account_id)?.clone();
    let keys = device_keys(vault, &stored)?.ok_or(Error::NotPushAccount {
        label: label(&stored),
    })?;
    let server = ServerUrl::parse(
        &stored
            .push
            .as_ref()
            .map(|p| p.url.clone())
            .unwrap_or_default(),
    )?;
    let response = client
        .answer(
            &server,
            &keys.device(),
            &request.challenge,
            decision,
            number,
            now,
        )
        .await?;
    Ok((request, response))
}

/// Asks the server whether the account's enrolment is still active, and records the answer.
pub async fn status(
    vault: &mut Vault,
    client: &PushClient,
    id: &str,
    now: u64,
) -> Result<PushStatus> {
    let stored = vault.get(id)?.clone();
    let Some(push) = &stored.push else {
        return Err(Error::NotPushAccount {
            label: label(&stored),
        });
    };
    match push.state {
        PushState::Pending => return Ok(PushStatus::Pending),
        PushState::Failed => return Ok(PushStatus::Failed),
        PushState::Revoked | PushState::Restored => return Ok(PushStatus::Revoked),
        PushState::Active => {}
    }
    let Some(keys) = device_keys(vault, &stored)? else {
        return Ok(PushStatus::Pending);
    };
    let server = ServerUrl::parse(&push.url)?;
    match client.status(&server, &keys.device(), now).await {
        Ok(reply) => {
            record(vault, id, false, clock::offset(reply.body.server_time, now))?;
            Ok(PushStatus::Active)
        }
        Err(Error::PushRevoked) => {
            record(vault, id, true, 0)?;
            Ok(PushStatus::Revoked)
        }
        Err(error @ Error::PushUnreachable { .. }) => {
            Ok(PushStatus::Unreachable(error.to_string()))
        }
        Err(error) => Err(error),
    }
}

/// Tells the server the device is gone (before the account is removed). Revoked, pending and
/// failed enrolments have nothing to unregister.
pub async fn unregister(vault: &Vault, client: &PushClient, id: &str, now: u64) -> Result<()> {
    let stored = vault.get(id)?;
    let Some(keys) = device_keys(vault, stored)? else {
        return Ok(());
    };
    let Some(push) = &stored.push else {
        return Ok(());
    };
    let server = ServerUrl::parse(&push.url)?;
    match client.unregister(&server, &keys.device(), now).await {
        Ok(()) | Err(Error::PushRevoked) => Ok(()),
        Err(error) => Err(error),
    }
}

/// Accounts whose enrolment waits for their server (it could not be reached at add time).
pub fn waiting_enrolments(vault: &Vault) -> Vec<String> {
    vault
        .accounts()
        .iter()
        .filter(|a| {
            a.push
                .as_ref()
                .is_some_and(|p| p.state == PushState::Pending)
        })
        .map(|a| a.id.clone())
        .collect()
}

/// The name a device gives itself at enrolment: `front_end`, and the computer's host name
/// when there is one.
pub fn device_name(front_end: &str) -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let host = host.trim();
    if host.is_empty() {
        front_end.to_owned()
    } else {
        format!("{front_end} ({host})")
    }
}

/// Helper for front ends: the decision words the guide uses.
pub fn decision(approve: bool, not_me: bool) -> Decision {
    match (approve, not_me) {
        (true, _) => Decision::Approve,
        (false, true) => Decision::NotMe,
        (false, false) => Decision::Deny,
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;
    use crate::vault::{KdfParams, MemoryStore, SecretStore as _};
    use crate::{Account, Secret};

    const PASSWORD: &str = "meja kantor lantai tiga";

    /// An account enrolled at a push server, with a device key and (if `poll`) a poll key.
    fn enrolled(vault: &mut Vault, name: &str, device: &SigningKey, poll: Option<&SigningKey>) {
        let seed = Secret::new(vec![5; 20]);
        let id = vault
            .add(&Account::totp("SPSE", name, seed), 1, false)
            .unwrap()
            .id;
        let server = SigningKey::from_bytes(&[0x20; 32]);
        vault
            .update(&id, |a| {
                a.push = Some(PushRecord {
                    url: "https://lpse.example/device/v1".into(),
                    state: PushState::Active,
                    device_id: Some(format!("dev-{name}")),
                    server_key: Some(keys::public_key_to_wire(&server.verifying_key())),
                    key_pin: None,
                    clock_offset: 0,
                    last_error: None,
                    poll_key: poll.is_some(),
                });
            })
            .unwrap();
        let mut secrets = vault.secrets(&id).unwrap();
        secrets.device_key = Some(Secret::new(device.to_bytes().to_vec()));
        vault.set_secrets(&id, &secrets).unwrap();
        if let Some(poll) = poll {
            vault.set_poll_key(&id, Some(&poll.to_bytes())).unwrap();
        }
    }

    #[test]
    fn a_locked_vault_polls_with_the_poll_keys_and_holds_nothing_that_answers() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::new();
        let open = || Vault::open(dir.path().to_path_buf(), Box::new(store.clone())).unwrap();
        let (device, poll) = (
            SigningKey::from_bytes(&[1; 32]),
            SigningKey::from_bytes(&[2; 32]),
        );
        let old_device = SigningKey::from_bytes(&[3; 32]);
        let mut vault = open();
        enrolled(&mut vault, "penyedia1", &device, Some(&poll));
        enrolled(&mut vault, "lama", &old_device, None);
        vault.enable_lock(PASSWORD, KdfParams::MINIMUM).unwrap();

        // Locked: the new enrolment polls with its poll key; the old one is left out.
        let locked = open();
        assert!(locked.is_locked());
        let groups = devices_by_server(&locked).unwrap();
        let devices: Vec<(&str, [u8; 32])> = groups
            .iter()
            .flat_map(|(_, devices)| devices.iter())
            .map(|d| (d.device_id.as_str(), d.key.to_bytes()))
            .collect();
        assert_eq!(devices, [("dev-penyedia1", poll.to_bytes())]);

        // The keyring holds the poll keys alone: no device key, no seed, no vault key.
        let items = store.keys().unwrap();
        assert_eq!(items.len(), 1, "{items:?}");
        assert!(items[0].ends_with("/poll"));
        let held = store.get(&items[0]).unwrap().unwrap();
        let held = String::from_utf8_lossy(&held);
        for secret in [device.to_bytes(), old_device.to_bytes()] {
            assert!(!held.contains(&URL_SAFE_NO_PAD.encode(secret)));
        }
        assert!(held.contains(&URL_SAFE_NO_PAD.encode(poll.to_bytes())));

        // Unlocked: the device keys, both enrolments.
        let mut unlocked = open();
        unlocked.unlock(PASSWORD, 10).unwrap();
        let keys: Vec<[u8; 32]> = devices_by_server(&unlocked).unwrap()[0]
            .1
            .iter()
            .map(|d| d.key.to_bytes())
            .collect();
        assert_eq!(keys, [device.to_bytes(), old_device.to_bytes()]);

        // Removing the account forgets its poll key.
        let id = unlocked.accounts()[0].id.clone();
        unlocked.remove(&id).unwrap();
        assert!(store.keys().unwrap().is_empty());
    }
}
