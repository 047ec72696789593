#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes Otentik's backup-import fixtures from the published formats (see docs/backup.md).

Every file here is produced by this script from a fixed seed: no file was exported by, or
copied from, any authenticator app. Re-running it rewrites byte-identical files (`--check`
proves it). Secrets are fake: fixed bytes derived from the seed, never real accounts.

    python3 generate.py            # (re)write the fixtures and expected.json next to this file
    python3 generate.py --check    # write into a temporary directory and compare byte for byte

verify.py then reads every fixture back through other libraries (libsodium, pycryptodome,
zxing-cpp) and checks it against expected.json.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import struct
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

from argon2.low_level import Type as Argon2Type
from argon2.low_level import hash_secret_raw
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.poly1305 import Poly1305

HERE = Path(__file__).resolve().parent
SEED = b"otentik-backup-fixtures/v1/"
PASSWORD = "otentik-fixture-password"
# One fixed instant (2025-01-15T03:00:00Z) for every timestamp the formats carry.
NOW_S = 1736910000
NOW_MS = NOW_S * 1000


# --------------------------------------------------------------------------------------------
# Deterministic "randomness": every salt, nonce, key, UUID and secret is SHAKE-256 of the seed
# and a label, so adding a fixture never shifts the bytes of another one.
# --------------------------------------------------------------------------------------------


def rand(label: str, n: int) -> bytes:
    return hashlib.shake_256(SEED + label.encode()).digest(n)


def fixed_uuid(label: str) -> str:
    b = bytearray(rand("uuid/" + label, 16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4, like the apps' random UUIDs
    b[8] = (b[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(b)))


def b32(data: bytes, pad: bool = False) -> str:
    text = base64.b32encode(data).decode()
    return text if pad else text.rstrip("=")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --------------------------------------------------------------------------------------------
# The known entries. Every fixture holds as many of them as its format can.
# --------------------------------------------------------------------------------------------


def steam_secret() -> bytes:
    # Proton writes Steam secrets as standard base64 in `steam://<base64>`; a '/' or '+' there
    # would break URL parsing in Proton's own reader, so pick bytes whose base64 has neither.
    for i in range(1000):
        candidate = rand(f"secret/E5/{i}", 20)
        if not set(b64(candidate)) & set("/+"):
            return candidate
    raise AssertionError("no Steam secret without '/' or '+'")


ENTRIES = {
    # TOTP with every default (SHA1, 6 digits, 30 s); spaces and non-ASCII in issuer and name.
    "E1": dict(type="totp", issuer="Dinas PU Kota Bandung · LPSE",
               name="budi.santoso@lpse.go.id – Pokja ULP", algorithm="SHA1", digits=6,
               period=30, secret=rand("secret/E1", 20)),
    # TOTP SHA256 / 8 digits / 60 s; a literal '+' in the account name (plus-addressing).
    "E2": dict(type="totp", issuer="Pemkab Bogor", name="sri+pengadaan@bogorkab.go.id",
               algorithm="SHA256", digits=8, period=60, secret=rand("secret/E2", 32)),
    # TOTP SHA512 / 7 digits / 30 s; every fixture gives this one unknown extra fields.
    "E3": dict(type="totp", issuer="Kementerian PUPR", name="andi.wijaya", algorithm="SHA512",
               digits=7, period=30, secret=rand("secret/E3", 64)),
    # HOTP: the next code to show is the one for counter 42.
    "E4": dict(type="hotp", issuer="Bank BJB", name="rudi.hartono", algorithm="SHA1", digits=6,
               counter=42, secret=rand("secret/E4", 20)),
    # Steam Guard: 5 characters from 23456789BCDFGHJKMNPQRTVWXY, HMAC-SHA1, 30 s.
    "E5": dict(type="steam", issuer="Steam", name="gamer_bandung", algorithm="SHA1", digits=5,
               period=30, secret=steam_secret()),
}

# Entries Otentik cannot hold; they must be skipped with a reason, never fail the import.
YANDEX = dict(issuer="Yandex", name="ivan.petrov", secret=rand("secret/yandex", 16), pin="5239")
MOTP = dict(issuer="Kantor Pusat", name="mobile.user", secret=rand("secret/motp", 8), pin="1234")
MD5 = dict(issuer="Sistem Lama", name="legacy.user", secret=rand("secret/md5", 20))

SKIP_YANDEX = dict(kind="yandex", label="Yandex: ivan.petrov",
                   reason="Yandex OTP needs a PIN and Yandex's own algorithm; Otentik cannot "
                          "compute it")
SKIP_MOTP = dict(kind="motp", label="Kantor Pusat: mobile.user",
                 reason="mOTP (MD5 of time, secret and PIN) is not supported")
SKIP_MD5 = dict(kind="md5", label="Sistem Lama: legacy.user",
                reason="HMAC-MD5 is not supported by any standard authenticator")


def expected_entry(key: str) -> dict:
    e = ENTRIES[key]
    out = dict(id=key, issuer=e["issuer"], name=e["name"], type=e["type"],
               algorithm=e["algorithm"], digits=e["digits"])
    if e["type"] == "hotp":
        out["counter"] = e["counter"]
    else:
        out["period"] = e["period"]
    out["secret"] = b32(e["secret"])
    return out


# --------------------------------------------------------------------------------------------
# URI spellings. Each app percent-encodes differently; the fixtures keep those differences.
# --------------------------------------------------------------------------------------------


def pct(text: str, safe: str = "") -> str:
    """RFC 3986 percent-encoding, UTF-8, uppercase hex (a space is %20)."""
    return urllib.parse.quote(text, safe=safe)


def form(text: str) -> str:
    """application/x-www-form-urlencoded (a space is '+')."""
    return urllib.parse.quote_plus(text, safe="")


def otpauth(key: str, *, label_safe: str = "@+", issuer_enc=pct, order=None, extra=()) -> str:
    """An otpauth:// URI for a known entry, with the label `Issuer:name`."""
    e = ENTRIES[key]
    host = e["type"]
    label = pct(e["issuer"], safe=label_safe) + ":" + pct(e["name"], safe=label_safe)
    params = dict(secret=b32(e["secret"]), issuer=issuer_enc(e["issuer"]),
                  algorithm=e["algorithm"], digits=str(e["digits"]))
    if e["type"] == "hotp":
        params["counter"] = str(e["counter"])
    else:
        params["period"] = str(e["period"])
    keys = order or list(params)
    query = "&".join(f"{k}={params[k]}" for k in keys if k in params)
    query += "".join(f"&{k}={v}" for k, v in extra)
    return f"otpauth://{host}/{label}?{query}"


# --------------------------------------------------------------------------------------------
# JSON spellings of the apps' serializers.
# --------------------------------------------------------------------------------------------


def json_android(obj, indent=None) -> str:
    """Android's org.json: insertion order, raw UTF-8, and '/' escaped as '\\/'."""
    seps = (",", ": ") if indent else (",", ":")
    # '/' can only occur inside JSON strings, so a plain replace is exact.
    return json.dumps(obj, ensure_ascii=False, indent=indent, separators=seps).replace("/", "\\/")


def json_compact(obj) -> str:
    """kotlinx.serialization, Dart's jsonEncode, serde_json: compact, raw UTF-8."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def json_gson(obj) -> str:
    """Gson's defaults: compact, and HTML-sensitive characters written as \\u escapes."""
    text = json_compact(obj)
    for ch in "<>&='":
        text = text.replace(ch, "\\u%04x" % ord(ch))
    return text


def json_pretty2(obj) -> str:
    """JSON.stringify(value, null, '  ') as Bitwarden's clients write exports."""
    return json.dumps(obj, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------------------------
# Crypto helpers (verify.py decrypts everything again with other libraries).
# --------------------------------------------------------------------------------------------


def aes_gcm(key: bytes, nonce: bytes, plain: bytes, aad: bytes | None = None) -> tuple[bytes, bytes]:
    """AES-GCM with a 16-byte tag; returns (ciphertext, tag)."""
    sealed = AESGCM(key).encrypt(nonce, plain, aad)
    return sealed[:-16], sealed[-16:]


def chacha20_ietf(key: bytes, nonce12: bytes, counter: int, data: bytes) -> bytes:
    """ChaCha20 (RFC 8439) keystream XOR from block `counter`."""
    enc = Cipher(algorithms.ChaCha20(key, struct.pack("<I", counter) + nonce12), mode=None).encryptor()
    return enc.update(data) + enc.finalize()


def _rotl32(v: int, c: int) -> int:
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def hchacha20(key: bytes, nonce16: bytes) -> bytes:
    """HChaCha20 (draft-irtf-cfrg-xchacha): the XChaCha20 sub-key, in plain Python."""
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))

    def qr(a, b, c, d):
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl32(s[d] ^ s[a], 16)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl32(s[b] ^ s[c], 12)
        s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = _rotl32(s[d] ^ s[a], 8)
        s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = _rotl32(s[b] ^ s[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


SECRETSTREAM_TAG_MESSAGE = 0
SECRETSTREAM_TAG_FINAL = 3


def secretstream_push(key: bytes, header: bytes, message: bytes, tag: int) -> bytes:
    """libsodium's crypto_secretstream_xchacha20poly1305_push for the first message of a stream
    whose 24-byte header is given (libsodium itself always draws the header at random, which is
    why this is written out here: it keeps the Ente fixture byte-identical across runs)."""
    assert len(key) == 32 and len(header) == 24
    subkey = hchacha20(key, header[:16])
    nonce = struct.pack("<I", 1) + header[16:24]  # counter 1 || inonce
    poly_key = chacha20_ietf(subkey, nonce, 0, bytes(64))[:32]
    mac = Poly1305(poly_key)
    # no additional data, so no AD and no AD padding
    block = chacha20_ietf(subkey, nonce, 1, bytes([tag]) + bytes(63))
    mac.update(block)
    cipher = chacha20_ietf(subkey, nonce, 2, message)
    mac.update(cipher)
    mac.update(bytes((0x10 - 64 + len(message)) & 0xF))
    mac.update(struct.pack("<Q", 0))
    mac.update(struct.pack("<Q", 64 + len(message)))
    return bytes([block[0]]) + cipher + mac.finalize()


# --------------------------------------------------------------------------------------------
# Aegis
# --------------------------------------------------------------------------------------------

AEGIS_GROUP_UUID = fixed_uuid("aegis/group/pemda")
AEGIS_GROUP_NAME = "Pemda Jabar"
# A 1x1 SVG: Aegis keeps icons as base64 bytes with their MIME type and a hash.
AEGIS_ICON = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
AEGIS_ICON_MIME = "image/svg+xml"


def aegis_info(e: dict) -> dict:
    info = dict(secret=b32(e["secret"]), algo=e["algorithm"], digits=e["digits"])
    if e["type"] == "hotp":
        info["counter"] = e["counter"]
    else:
        info["period"] = e["period"]
    return info


def aegis_entry(key: str, version: int) -> dict:
    e = ENTRIES[key]
    obj = dict(type=e["type"], uuid=fixed_uuid(f"aegis/v{version}/{key}"), name=e["name"],
               issuer=e["issuer"])
    if version >= 2:
        obj["note"] = "Akun utama PUPR" if key == "E3" else ""
        obj["favorite"] = key == "E1"
    if version >= 2 and key == "E1":
        obj["icon"] = b64(AEGIS_ICON)
        obj["icon_mime"] = AEGIS_ICON_MIME
        obj["icon_hash"] = hashlib.sha256(AEGIS_ICON_MIME.encode() + AEGIS_ICON).hexdigest()
    else:
        obj["icon"] = None
    obj["info"] = aegis_info(e)
    if version >= 3:
        obj["groups"] = [AEGIS_GROUP_UUID] if key in ("E1", "E2") else []
        obj["archived"] = False
    else:
        obj["group"] = AEGIS_GROUP_NAME if key in ("E1", "E2") else None
    if key == "E3":
        obj["x_otentik_future"] = {"kept": [1, 2, 3], "why": "unknown field, must be ignored"}
        obj["info"]["x_otentik_future"] = True
    return obj


def aegis_special(kind: str, version: int) -> dict:
    if kind == "yandex":
        info = dict(secret=b32(YANDEX["secret"]), algo="SHA256", digits=8, period=30,
                    pin=YANDEX["pin"])
        src = YANDEX
    else:
        info = dict(secret=b32(MOTP["secret"]), algo="MD5", digits=6, period=10, pin=MOTP["pin"])
        src = MOTP
    obj = dict(type=kind, uuid=fixed_uuid(f"aegis/v{version}/{kind}"), name=src["name"],
               issuer=src["issuer"], note="", favorite=False, icon=None, info=info)
    if version >= 3:
        obj["groups"] = []
        obj["archived"] = False
    else:
        obj["group"] = None
    return obj


def aegis_content(version: int) -> tuple[dict, list, list]:
    keys = ["E1", "E2", "E3", "E4", "E5"]
    entries = [aegis_entry(k, version) for k in keys]
    expected = [expected_entry(k) for k in keys]
    skipped = []
    # Yandex entries exist since Aegis 2.x, mOTP since 3.x; a v1 vault holds neither.
    if version >= 2:
        entries.insert(3, aegis_special("yandex", version))
        skipped.append(dict(SKIP_YANDEX, index=4))
    if version >= 3:
        entries.append(aegis_special("motp", version))
        skipped.append(dict(SKIP_MOTP, index=7))
    content = dict(version=version, entries=entries)
    if version >= 3:
        content["groups"] = [dict(uuid=AEGIS_GROUP_UUID, name=AEGIS_GROUP_NAME)]
        content["icons_optimized"] = True
    return content, expected, skipped


def aegis_plain(version: int) -> tuple[bytes, list, list]:
    content, expected, skipped = aegis_content(version)
    vault = dict(version=1, header=dict(slots=None, params=None), db=content)
    return json_android(vault, indent=4).encode(), expected, skipped


def aegis_encrypted(version: int) -> tuple[bytes, list, list]:
    content, expected, skipped = aegis_content(version)
    label = f"aegis/v{version}"
    master_key = rand(label + "/master-key", 32)
    salt = rand(label + "/salt", 32)
    n, r, p = 32768, 8, 1
    kek = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
                         dklen=32)
    slot_nonce = rand(label + "/slot-nonce", 12)
    wrapped, wrapped_tag = aes_gcm(kek, slot_nonce, master_key)
    # Aegis 3.x strips biometric slots from exports (SlotList.exportable), older versions and
    # the app's own vault file keep them: the v1/v2 fixtures start with one, which a reader
    # must skip (its key lives in an Android KeyStore).
    bio_slot = dict(type=2, uuid=fixed_uuid(label + "/bio-slot"),
                    key=rand(label + "/bio-key", 32).hex(),
                    key_params=dict(nonce=rand(label + "/bio-nonce", 12).hex(),
                                    tag=rand(label + "/bio-tag", 16).hex()))
    pw_slot = dict(type=1, uuid=fixed_uuid(label + "/password-slot"), key=wrapped.hex(),
                   key_params=dict(nonce=slot_nonce.hex(), tag=wrapped_tag.hex()),
                   n=n, r=r, p=p, salt=salt.hex(), repaired=True, is_backup=False)
    db_nonce = rand(label + "/db-nonce", 12)
    plain = json_android(content, indent=4).encode()
    db, db_tag = aes_gcm(master_key, db_nonce, plain)
    vault = dict(version=1,
                 header=dict(slots=[bio_slot, pw_slot] if version < 3 else [pw_slot],
                             params=dict(nonce=db_nonce.hex(), tag=db_tag.hex())),
                 db=b64(db))
    return json_android(vault, indent=4).encode(), expected, skipped


# --------------------------------------------------------------------------------------------
# 2FAS
# --------------------------------------------------------------------------------------------

def _twofas_reference() -> str:
    # 2FAS encrypts a fixed 256-character alphanumeric constant (`Reference` in the Android
    # app's BackupContent.kt) next to the services, so that a password can be checked without
    # touching the services. A reader only needs AES-GCM to authenticate it, never its value;
    # the fixtures therefore use their own 256 characters instead of copying 2FAS's.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in rand("2fas/reference", 256))


TWOFAS_REFERENCE = _twofas_reference()
TWOFAS_GROUP_ID = fixed_uuid("2fas/group")


def twofas_service(key: str, schema: int, position: int) -> dict:
    e = ENTRIES[key]
    token = {"totp": "TOTP", "hotp": "HOTP", "steam": "STEAM"}[e["type"]]
    otp = {}
    if schema >= 4:
        otp["link"] = otpauth(key, issuer_enc=form)
    otp["label"] = e["name"] if schema >= 4 else f'{e["issuer"]}:{e["name"]}'
    otp["account"] = e["name"]
    otp["issuer"] = e["issuer"]
    otp["digits"] = e["digits"]
    if e["type"] != "hotp" or schema < 4:
        otp["period"] = e.get("period", 30)
    otp["algorithm"] = e["algorithm"]
    if e["type"] == "hotp":
        otp["counter"] = e["counter"]
    otp["tokenType"] = token
    otp["source"] = "Link"
    svc = dict(name=e["issuer"], secret=b32(e["secret"]), updatedAt=NOW_MS - 1000 * position)
    if key == "E1":
        svc["serviceTypeID"] = fixed_uuid("2fas/service-type")
    svc["otp"] = otp
    svc["order"] = dict(position=position)
    if key == "E2":
        svc["badge"] = dict(color="Orange")
    svc["icon"] = dict(selected="Label", label=dict(text=e["issuer"][:2].upper(),
                                                    backgroundColor="LightBlue"),
                       iconCollection=dict(id=fixed_uuid("2fas/icon-collection")))
    if key in ("E1", "E2"):
        svc["groupId"] = TWOFAS_GROUP_ID
    if key == "E3":
        svc["x_otentik_future"] = {"nested": [True, None]}
        otp["x_otentik_future"] = "ignored"
    return svc


def twofas(schema: int, encrypted: bool) -> tuple[bytes, list, list]:
    keys = ["E1", "E2", "E3", "E4", "E5"]
    services = [twofas_service(k, schema, i) for i, k in enumerate(keys)]
    groups = [dict(id=TWOFAS_GROUP_ID, name="Pemda Jabar", isExpanded=True, updatedAt=NOW_MS)]
    app = ("4.7.3", 4070003) if schema == 3 else ("5.6.1", 5060001)
    doc = dict(services=[] if encrypted else services, groups=groups, updatedAt=NOW_MS,
               schemaVersion=schema, appVersionCode=app[1], appVersionName=app[0],
               appOrigin="android")
    if encrypted:
        label = f"2fas/v{schema}"
        salt = rand(label + "/salt", 256)
        key = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt, 10000, 32)

        def seal(plain: bytes, nonce: bytes) -> str:
            ct, tag = aes_gcm(key, nonce, plain)
            return f"{b64(ct + tag)}:{b64(salt)}:{b64(nonce)}"

        doc["servicesEncrypted"] = seal(json_compact(services).encode(),
                                        rand(label + "/services-iv", 12))
        doc["reference"] = seal(TWOFAS_REFERENCE.encode(), rand(label + "/reference-iv", 12))
    return json_compact(doc).encode(), [expected_entry(k) for k in keys], []


# --------------------------------------------------------------------------------------------
# Ente Auth
# --------------------------------------------------------------------------------------------


def dart_query(value: str) -> str:
    """Dart's Uri(queryParameters: ...) encoding: unreserved kept, space '+', rest %XX."""
    return urllib.parse.quote_plus(value, safe="-._~")


def ente_display(key: str, position: int) -> str:
    display = dict(pinned=key == "E1", trashed=False, lastUsedAt=0,
                   tapCount={"E1": 12, "E4": 3}.get(key, 0),
                   tags=["Pemda Jabar"] if key in ("E1", "E2") else [],
                   note="Akun utama PUPR" if key == "E3" else "", position=position,
                   iconSrc="", iconID="")
    if key == "E3":
        display["x_otentik_future"] = 1
    return json_compact(display)


def ente_line(key: str, position: int) -> str:
    """One line of Ente's export: the code's rawData, i.e. the URI Ente rebuilt with Dart's
    Uri.replace(queryParameters: ...) after adding `codeDisplay` (so every query value is
    re-encoded, spaces as '+')."""
    e = ENTRIES[key]
    label = pct(e["issuer"], safe="@+") + ":" + pct(e["name"], safe="@+")
    params = [("secret", b32(e["secret"])), ("issuer", e["issuer"]),
              ("algorithm", e["algorithm"]), ("digits", str(e["digits"]))]
    if e["type"] == "hotp":
        params.append(("counter", str(e["counter"])))
    else:
        params.append(("period", str(e["period"])))
    if key == "E3":
        params.append(("image", "https://example.invalid/pupr.png"))
        params.append(("x-otentik-future", "abaikan saja"))
    params.append(("codeDisplay", ente_display(key, position)))
    query = "&".join(f"{k}={dart_query(v)}" for k, v in params)
    return f"otpauth://{e['type']}/{label}?{query}"


def ente_text() -> str:
    keys = ["E1", "E2", "E3", "E4", "E5"]
    return "".join(ente_line(k, i) + "\n" for i, k in enumerate(keys))


def ente_plain() -> tuple[bytes, list, list]:
    return ente_text().encode(), [expected_entry(k) for k in ["E1", "E2", "E3", "E4", "E5"]], []


# Small Argon2id costs so that the Rust tests stay fast in debug builds; the reader must take
# them from the file (real exports carry 268435456/16 or one of its halvings, see docs).
ENTE_MEM_LIMIT = 1048576  # bytes, as libsodium's crypto_pwhash takes it (= 1024 KiB)
ENTE_OPS_LIMIT = 2


def ente_encrypted() -> tuple[bytes, list, list]:
    salt = rand("ente/salt", 16)
    key = hash_secret_raw(PASSWORD.encode(), salt, time_cost=ENTE_OPS_LIMIT,
                          memory_cost=ENTE_MEM_LIMIT // 1024, parallelism=1, hash_len=32,
                          type=Argon2Type.ID, version=19)
    header = rand("ente/secretstream-header", 24)
    # Ente's chachaEncryptData pushes the whole export as one TAG_MESSAGE chunk; the closing
    # empty TAG_FINAL chunk the Dart transformer also emits is not written to the file.
    data = secretstream_push(key, header, ente_text().encode(), SECRETSTREAM_TAG_MESSAGE)
    doc = dict(version=1, kdfParams=dict(memLimit=ENTE_MEM_LIMIT, opsLimit=ENTE_OPS_LIMIT,
                                         salt=b64(salt)),
               encryptedData=b64(data), encryptionNonce=b64(header))
    return json_compact(doc).encode(), [expected_entry(k) for k in ["E1", "E2", "E3", "E4", "E5"]], []


# --------------------------------------------------------------------------------------------
# Proton Authenticator
# --------------------------------------------------------------------------------------------

PROTON_AAD = b"proton.authenticator.export.v1"


def proton_uri(key: str) -> str:
    """TOTP::to_uri in proton-pass-totp: the url crate puts the label (name only) in the path
    (space -> %20, '@' and '+' literal) and form-encodes the query (space -> '+')."""
    e = ENTRIES[key]
    path = pct(e["name"], safe="@+:!$&'()*,;=")
    query = "&".join([f"secret={b32(e['secret'])}", f"issuer={form(e['issuer'])}",
                      f"algorithm={e['algorithm']}", f"digits={e['digits']}",
                      f"period={e['period']}"])
    return f"otpauth://totp/{path}?{query}"


def proton_entries_doc() -> str:
    entries = []
    for key in ["E1", "E2", "E3", "E5"]:
        e = ENTRIES[key]
        if e["type"] == "steam":
            content = dict(uri="steam://" + b64(e["secret"]), entry_type="Steam", name=e["name"])
        else:
            content = dict(uri=proton_uri(key), entry_type="Totp", name=e["name"])
        entry = dict(id=fixed_uuid(f"proton/{key}"), content=content,
                     note="Akun utama PUPR" if key == "E3" else None)
        if key == "E3":
            entry["x_otentik_future"] = {"a": 1}
            content["x_otentik_future"] = "ignored"
        entries.append(entry)
    return json_compact(dict(version=1, entries=entries))


def proton_expected() -> list:
    return [expected_entry(k) for k in ["E1", "E2", "E3", "E5"]]


def proton_plain() -> tuple[bytes, list, list]:
    return proton_entries_doc().encode(), proton_expected(), []


PROTON_ARGON2 = dict(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def proton_encrypted() -> tuple[bytes, list, list]:
    salt = rand("proton/salt", 16)
    key = hash_secret_raw(PASSWORD.encode(), salt, hash_len=32, type=Argon2Type.ID, version=19,
                          **PROTON_ARGON2)
    nonce = rand("proton/nonce", 12)
    ct, tag = aes_gcm(key, nonce, proton_entries_doc().encode(), PROTON_AAD)
    doc = dict(version=1, salt=b64(salt), content=b64(nonce + ct + tag))
    return json_compact(doc).encode(), proton_expected(), []


# --------------------------------------------------------------------------------------------
# Bitwarden (password manager export, unencrypted JSON and CSV)
# --------------------------------------------------------------------------------------------

BW_FOLDER_ID = fixed_uuid("bitwarden/folder")


def bitwarden_items() -> list[dict]:
    """(name, username, totp, notes, folder, favorite, fields) per item, in export order."""
    e1, e2, e3, e5 = (ENTRIES[k] for k in ("E1", "E2", "E3", "E5"))
    return [
        # A bare base32 secret: issuer from the item name, account from the username.
        dict(type=1, name=e1["issuer"], username=e1["name"], totp=b32(e1["secret"]),
             uri="https://lpse.bandung.go.id/", notes=None, folder=True, favorite=True,
             fields=[]),
        dict(type=1, name="LPSE Pemkab Bogor", username=e2["name"], uri="https://lpse.bogorkab.go.id/",
             totp=otpauth("E2"), notes=None, folder=True, favorite=False, fields=[]),
        # Custom fields, a note with a comma, a quote and a line break: CSV quoting.
        dict(type=1, name="PUPR", username=e3["name"], uri="https://pu.go.id/",
             totp=otpauth("E3", issuer_enc=form, extra=[("image", "https%3A%2F%2Fpu.go.id%2Ff.png")]),
             notes='Token "cadangan", lihat\nbuku catatan', folder=False, favorite=False,
             fields=[dict(name="PIN", value="1234", type=1, linkedId=None)]),
        # Bitwarden's own Steam spelling: steam:// followed by the base32 secret.
        dict(type=1, name=e5["issuer"], username=e5["name"], uri="https://store.steampowered.com/",
             totp="steam://" + b32(e5["secret"]), notes=None, folder=False, favorite=False,
             fields=[]),
        # Items without a TOTP (a plain login and a secure note) are not accounts: ignored.
        dict(type=1, name="Surel kantor", username="budi@bandung.go.id", uri="https://mail.example.invalid/",
             totp=None, notes=None, folder=False, favorite=False, fields=[]),
        dict(type=2, name="Catatan rahasia", username=None, uri=None, totp=None,
             notes="bukan akun OTP", folder=False, favorite=False, fields=[]),
    ]


def bitwarden_json() -> tuple[bytes, list, list]:
    items = []
    for i, it in enumerate(bitwarden_items()):
        obj = {
            "passwordHistory": None,
            "revisionDate": "2025-01-15T03:00:00.000Z",
            "creationDate": "2025-01-15T03:00:00.000Z",
            "deletedDate": None,
            "id": fixed_uuid(f"bitwarden/item/{i}"),
            "organizationId": None,
            "folderId": BW_FOLDER_ID if it["folder"] else None,
            "type": it["type"],
            "reprompt": 0,
            "name": it["name"],
            "notes": it["notes"],
            "favorite": it["favorite"],
        }
        if it["fields"]:
            obj["fields"] = it["fields"]
        if it["type"] == 1:
            obj["login"] = {
                "fido2Credentials": [],
                "uris": [{"match": None, "uri": it["uri"]}],
                "username": it["username"],
                "password": "bukan-rahasia-sungguhan",
                "totp": it["totp"],
            }
        else:
            obj["secureNote"] = {"type": 0}
        obj["collectionIds"] = None
        if i == 2:
            obj["x_otentik_future"] = [1, 2]
        items.append(obj)
    doc = {"encrypted": False, "folders": [{"id": BW_FOLDER_ID, "name": "Pemda Jabar"}],
           "items": items}
    return json_pretty2(doc).encode(), [expected_entry(k) for k in ["E1", "E2", "E3", "E5"]], []


def bitwarden_csv() -> tuple[bytes, list, list]:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(["folder", "favorite", "type", "name", "notes", "fields", "reprompt", "login_uri",
                "login_username", "login_password", "login_totp"])
    for it in bitwarden_items():
        fields = "\n".join(f'{f["name"]}: {f["value"]}' for f in it["fields"])
        w.writerow(["Pemda Jabar" if it["folder"] else "", "1" if it["favorite"] else "",
                    "login" if it["type"] == 1 else "note", it["name"], it["notes"] or "",
                    fields, "0", it["uri"] or "", it["username"] or "",
                    "bukan-rahasia-sungguhan" if it["type"] == 1 else "", it["totp"] or ""])
    # papaparse (Bitwarden's CSV writer) ends the last row without a line break.
    text = out.getvalue().removesuffix("\r\n")
    return text.encode(), [expected_entry(k) for k in ["E1", "E2", "E3", "E5"]], []


# --------------------------------------------------------------------------------------------
# andOTP
# --------------------------------------------------------------------------------------------


def andotp_doc() -> str:
    out = []
    for key in ["E1", "E2", "E3", "E4", "E5"]:
        e = ENTRIES[key]
        obj = dict(secret=b32(e["secret"], pad=True), issuer=e["issuer"], label=e["name"],
                   digits=e["digits"], type=e["type"].upper(), algorithm=e["algorithm"],
                   thumbnail="Steam" if key == "E5" else "Default",
                   last_used=NOW_MS if key == "E1" else 0,
                   used_frequency=7 if key == "E1" else 0)
        # Entry.toJSON writes `period` only for TOTP and `counter` only for HOTP.
        if e["type"] == "totp":
            obj["period"] = e["period"]
        elif e["type"] == "hotp":
            obj["counter"] = e["counter"]
        obj["tags"] = ["Pemda Jabar"] if key in ("E1", "E2") else []
        if key == "E3":
            obj["x_otentik_future"] = {"nested": True}
        out.append(obj)
    return json_android(out)


def andotp_plain() -> tuple[bytes, list, list]:
    return andotp_doc().encode(), [expected_entry(k) for k in ["E1", "E2", "E3", "E4", "E5"]], []


ANDOTP_ITERATIONS = 141421  # andOTP draws 140000..160000 (1000..5000 before 0.7)


def andotp_encrypted() -> tuple[bytes, list, list]:
    salt = rand("andotp/salt", 12)
    key = hashlib.pbkdf2_hmac("sha1", PASSWORD.encode(), salt, ANDOTP_ITERATIONS, 32)
    iv = rand("andotp/iv", 12)
    ct, tag = aes_gcm(key, iv, andotp_doc().encode())
    data = struct.pack(">I", ANDOTP_ITERATIONS) + salt + iv + ct + tag
    return data, [expected_entry(k) for k in ["E1", "E2", "E3", "E4", "E5"]], []


def andotp_encrypted_old() -> tuple[bytes, list, list]:
    key = hashlib.sha256(PASSWORD.encode()).digest()
    iv = rand("andotp-old/iv", 12)
    ct, tag = aes_gcm(key, iv, andotp_doc().encode())
    return iv + ct + tag, [expected_entry(k) for k in ["E1", "E2", "E3", "E4", "E5"]], []


# --------------------------------------------------------------------------------------------
# FreeOTP+
# --------------------------------------------------------------------------------------------


def signed_bytes(data: bytes) -> list[int]:
    return [b - 256 if b > 127 else b for b in data]


def freeotp_plus() -> tuple[bytes, list, list]:
    tokens, order = [], []
    for key in ["E1", "E2", "E3", "E4", "E5"]:
        e = ENTRIES[key]
        # The legacy Token fields Gson writes (nulls left out): a Steam account is a TOTP token
        # whose issuerExt is exactly "Steam"; `counter` is the counter of the next HOTP code.
        tok = dict(issuerExt=e["issuer"], label=e["name"],
                   type="HOTP" if e["type"] == "hotp" else "TOTP", algo=e["algorithm"],
                   secret=signed_bytes(e["secret"]), digits=e["digits"],
                   counter=e.get("counter", 0), period=e.get("period", 30))
        if key == "E3":
            tok["x_otentik_future"] = "ignored"
        tokens.append(tok)
        order.append(f'{e["issuer"]}:{e["name"]}')
    doc = dict(tokens=tokens, tokenOrder=order)
    return json_gson(doc).encode(), [expected_entry(k) for k in ["E1", "E2", "E3", "E4", "E5"]], []


# --------------------------------------------------------------------------------------------
# LastPass Authenticator
# --------------------------------------------------------------------------------------------


def lastpass() -> tuple[bytes, list, list]:
    accounts = []
    for pos, key in enumerate(["E1", "E2", "E3"]):
        e = ENTRIES[key]
        acc = dict(accountID="", issuerName=e["issuer"], originalIssuerName=e["issuer"],
                   userName=e["name"], originalUserName=e["name"], pushNotification=False,
                   secret=b32(e["secret"]), timeStep=e["period"], digits=e["digits"],
                   creationTimestamp=NOW_MS, isFavorite=key == "E1", algorithm=e["algorithm"],
                   folderData=dict(folderId=1 if key == "E1" else 0, position=pos),
                   lmiUserId="")
        if key == "E3":
            acc["x_otentik_future"] = {"nested": []}
        accounts.append(acc)
    doc = dict(deviceName="Pixel 7", deviceSecret=None, localDeviceId=None, accounts=accounts,
               folders=[dict(id=1, name="Favorites", isOpened=True),
                        dict(id=0, name="Other Accounts", isOpened=True)],
               version=3)
    return json_compact(doc).encode(), [expected_entry(k) for k in ["E1", "E2", "E3"]], []


# --------------------------------------------------------------------------------------------
# Google Authenticator's otpauth-migration payload (protobuf written by hand)
# --------------------------------------------------------------------------------------------


def pb_varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_field(number: int, wire: int, payload: bytes | int) -> bytes:
    tag = pb_varint((number << 3) | wire)
    if wire == 0:
        return tag + pb_varint(payload)
    return tag + pb_varint(len(payload)) + payload


def pb_otp(secret: bytes, name: str, issuer: str, algorithm: int, digits: int, otp_type: int,
           counter: int = 0) -> bytes:
    msg = pb_field(1, 2, secret) + pb_field(2, 2, name.encode()) + pb_field(3, 2, issuer.encode())
    msg += pb_field(4, 0, algorithm) + pb_field(5, 0, digits) + pb_field(6, 0, otp_type)
    if counter:
        msg += pb_field(7, 0, counter)
    return msg


GA_ALGORITHM = {"SHA1": 1, "SHA256": 2, "SHA512": 3, "MD5": 4}
GA_DIGITS = {6: 1, 8: 2}


def ga_params(key: str) -> bytes:
    e = ENTRIES[key]
    # Google's exports often repeat the issuer in the name ("Issuer:name"); E1 does, E4 does not.
    name = f'{e["issuer"]}:{e["name"]}' if key == "E1" else e["name"]
    return pb_otp(e["secret"], name, e["issuer"], GA_ALGORITHM[e["algorithm"]],
                  GA_DIGITS[e["digits"]], 1 if e["type"] == "hotp" else 2, e.get("counter", 0))


def ga_md5_params() -> bytes:
    return pb_otp(MD5["secret"], MD5["name"], MD5["issuer"], GA_ALGORITHM["MD5"], 1, 2)


def migration_uri(otp_params: list[bytes], batch_size: int, batch_index: int) -> str:
    payload = b"".join(pb_field(1, 2, p) for p in otp_params)
    payload += pb_field(2, 0, 1) + pb_field(3, 0, batch_size) + pb_field(4, 0, batch_index)
    payload += pb_field(5, 0, 0x4F54454E)  # batch_id: the same for every QR of one export
    return "otpauth-migration://offline?data=" + pct(b64(payload))


# --------------------------------------------------------------------------------------------
# uris: one URI per line
# --------------------------------------------------------------------------------------------


def uris() -> tuple[bytes, list, list]:
    e2_uri = otpauth("E2")
    # Extra parameters other apps add, and '+' for the space in the issuer.
    e3_uri = otpauth("E3", issuer_enc=form, extra=[
        ("image", "https%3A%2F%2Fpu.go.id%2Ffavicon.png"),
        ("codeDisplay", dart_query(ente_display("E3", 2))), ("foo", "bar")])
    e5_uri = otpauth("E5", order=["secret", "issuer", "digits", "period", "algorithm"])
    migration = migration_uri([ga_params("E1"), ga_params("E4"), ga_md5_params()], 1, 0)
    yandex = (f"otpauth://yaotp/{pct(YANDEX['issuer'])}:{pct(YANDEX['name'])}"
              f"?secret={b32(YANDEX['secret'])}&issuer={YANDEX['issuer']}&pin_length=4")
    motp = (f"motp://{pct(MOTP['issuer'])}:{pct(MOTP['name'])}?secret={MOTP['secret'].hex()}")
    lines = [e2_uri, e3_uri, e5_uri, "", migration, yandex, motp]
    text = "".join(line + "\n" for line in lines)
    expected = [expected_entry(k) for k in ["E2", "E3", "E5", "E1", "E4"]]
    skipped = [dict(SKIP_MD5, line=5), dict(SKIP_YANDEX, line=6), dict(SKIP_MOTP, line=7)]
    return text.encode(), expected, skipped


# --------------------------------------------------------------------------------------------
# google: export QR codes as PNG images (two batches of one export)
# --------------------------------------------------------------------------------------------


def google_uris() -> list[str]:
    return [migration_uri([ga_params("E1"), ga_md5_params()], 2, 0),
            migration_uri([ga_params("E4")], 2, 1)]


def qr_png(text: str) -> bytes:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_L, box_size=4, border=4)
    qr.add_data(text, optimize=0)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white").get_image().convert("L")
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# Fixture table and expected.json
# --------------------------------------------------------------------------------------------

# How a test derives a tampered copy of an encrypted fixture: decode the named field (or the
# raw file), flip the lowest bit of the byte at `offset` (past nonces, inside the ciphertext),
# encode it again the same way. `split`/`part` select one part of a ':'-separated value.
TAMPER = {
    "aegis": dict(container="json", field="db", encoding="base64", offset=10),
    "2fas": dict(container="json", field="servicesEncrypted", split=":", part=0,
                 encoding="base64", offset=10),
    "ente": dict(container="json", field="encryptedData", encoding="base64", offset=10),
    "proton": dict(container="json", field="content", encoding="base64", offset=12 + 10),
    "andotp": dict(container="raw", offset=4 + 12 + 12 + 10),
    "andotp-old": dict(container="raw", offset=12 + 10),
}


def fixtures() -> list[tuple[str, str, dict, object]]:
    """(file name, --from format, properties, builder)."""
    table = []
    for v in (1, 2, 3):
        table.append((f"aegis-plain-v{v}.json", "aegis", dict(encrypted=False, content_version=v),
                      lambda v=v: aegis_plain(v)))
        table.append((f"aegis-encrypted-v{v}.json", "aegis",
                      dict(encrypted=True, content_version=v, tamper=TAMPER["aegis"]),
                      lambda v=v: aegis_encrypted(v)))
    for s in (3, 4):
        table.append((f"2fas-plain-v{s}.2fas", "2fas", dict(encrypted=False, schema=s),
                      lambda s=s: twofas(s, False)))
        table.append((f"2fas-encrypted-v{s}.2fas", "2fas",
                      dict(encrypted=True, schema=s, tamper=TAMPER["2fas"]),
                      lambda s=s: twofas(s, True)))
    table += [
        ("ente-plain.txt", "ente", dict(encrypted=False), ente_plain),
        # Ente names both of its exports ente-auth-codes-<date>.txt; only the content tells.
        ("ente-encrypted.txt", "ente", dict(encrypted=True, tamper=TAMPER["ente"]), ente_encrypted),
        ("proton-plain.json", "proton", dict(encrypted=False), proton_plain),
        ("proton-encrypted.json", "proton", dict(encrypted=True, tamper=TAMPER["proton"]),
         proton_encrypted),
        ("bitwarden.json", "bitwarden", dict(encrypted=False), bitwarden_json),
        ("bitwarden.csv", "bitwarden", dict(encrypted=False), bitwarden_csv),
        ("andotp-plain.json", "andotp", dict(encrypted=False), andotp_plain),
        ("andotp-encrypted.json.aes", "andotp",
         dict(encrypted=True, variant="pbkdf2", tamper=TAMPER["andotp"]), andotp_encrypted),
        ("andotp-encrypted-old.json.aes", "andotp",
         dict(encrypted=True, variant="sha256-key", tamper=TAMPER["andotp-old"]),
         andotp_encrypted_old),
        ("freeotp-plus.json", "freeotp-plus", dict(encrypted=False), freeotp_plus),
        ("lastpass.json", "lastpass", dict(encrypted=False), lastpass),
        ("uris.txt", "uris", dict(encrypted=False), uris),
    ]
    return table


def build(out_dir: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    expected = {
        "about": "Written by generate.py; see README.md. Entries are listed in the order the "
                 "fixture holds them. `secret` is RFC 4648 base32, upper case, unpadded. HOTP "
                 "entries carry `counter` (the counter of the next code), the others `period`.",
        "password": PASSWORD,
        "entries": {k: expected_entry(k) for k in ENTRIES},
        "fixtures": {},
    }
    for name, fmt, props, builder in fixtures():
        data, entries, skipped = builder()
        files[name] = data
        expected["fixtures"][name] = dict(format=fmt, **props, entries=entries, skipped=skipped)
    payloads = google_uris()
    for i, uri in enumerate(payloads):
        name = f"google-export-{i + 1}.png"
        files[name] = qr_png(uri)
        entries = [expected_entry("E1")] if i == 0 else [expected_entry("E4")]
        skipped = [dict(SKIP_MD5, index=2)] if i == 0 else []
        expected["fixtures"][name] = dict(format="google", encrypted=False, batch_index=i,
                                          batch_size=2, qr_text=uri, entries=entries,
                                          skipped=skipped)
    files["expected.json"] = (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode()
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary directory and compare with the files "
                             "next to this script")
    args = parser.parse_args()
    if not args.check:
        files = build(HERE)
        print(f"wrote {len(files)} files to {HERE}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
        differing = [n for n, d in files.items()
                     if not (HERE / n).exists() or (HERE / n).read_bytes() != d]
    if differing:
        print("differs from the committed fixtures: " + ", ".join(sorted(differing)))
        return 1
    print(f"all {len(files)} files are byte-identical to a fresh generation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
