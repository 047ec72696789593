#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads every fixture back and checks it against expected.json, sharing no code with
generate.py and using other cryptographic libraries than it does:

    what             generate.py writes with        verify.py reads with
    scrypt           hashlib.scrypt                 pycryptodome
    PBKDF2           hashlib.pbkdf2_hmac            pycryptodome
    Argon2id         argon2-cffi (reference C)      libsodium (PyNaCl)
    AES-256-GCM      cryptography (OpenSSL)         pycryptodome
    secretstream     its own Python code            libsodium (PyNaCl)
    QR codes         qrcode                         zxing-cpp

It also checks that a wrong password, a truncated copy, a tampered copy (the recipe in
expected.json) and an empty file all fail. Prints one line per check and exits non-zero on
any failure.

    python3 verify.py
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import struct
import sys
import urllib.parse
from pathlib import Path

import nacl.bindings as sodium
import nacl.pwhash
import zxingcpp
from Crypto.Cipher import AES
from Crypto.Hash import SHA1, SHA256
from Crypto.Protocol.KDF import PBKDF2, scrypt
from PIL import Image

HERE = Path(__file__).resolve().parent
EXPECTED = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
PASSWORD = EXPECTED["password"]


class Refused(Exception):
    """The file cannot be opened: wrong password, damaged or truncated."""


# ------------------------------------------------------------------ small decoding helpers


def b32decode(text: str) -> bytes:
    text = text.strip().replace(" ", "").upper().rstrip("=")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as e:
        raise Refused(f"bad base64: {e}") from e


def gcm_open(key: bytes, nonce: bytes, ct: bytes, tag: bytes, aad: bytes | None = None) -> bytes:
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=16)
    if aad is not None:
        cipher.update(aad)
    try:
        return cipher.decrypt_and_verify(ct, tag)
    except ValueError as e:
        raise Refused("authentication failed") from e


def account(type_, issuer, name, algorithm, digits, secret: bytes, period=None, counter=None):
    out = dict(issuer=issuer, name=name, type=type_, algorithm=algorithm.upper(), digits=digits)
    if type_ == "hotp":
        out["counter"] = counter
    else:
        out["period"] = period
    out["secret"] = b32(secret)
    return out


# ------------------------------------------------------------------ otpauth and migration


def parse_query(query: str) -> dict:
    params = {}
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        # In a query value '+' means a space (form encoding); '%2B' is a literal plus.
        params.setdefault(urllib.parse.unquote(key), urllib.parse.unquote_plus(value))
    return params


def parse_otpauth(uri: str):
    """An account dict, or ('skip', kind) for a URI Otentik cannot hold."""
    scheme, _, rest = uri.partition("://")
    if scheme.lower() == "motp":
        return ("skip", "motp")
    host, _, rest = rest.partition("/")
    path, _, query = rest.partition("?")
    query = query.split("#")[0]
    host = host.lower()
    if host == "yaotp":
        return ("skip", "yandex")
    params = parse_query(query)
    label = urllib.parse.unquote(path)  # in the path '+' is a literal plus
    prefix, sep, name = label.partition(":")
    if not sep:
        prefix, name = "", label
    issuer = params.get("issuer", prefix).strip()
    name = name.strip()
    algorithm = params.get("algorithm", "SHA1").upper().replace("-", "")
    secret = b32decode(params["secret"])
    if host == "steam":
        return account("steam", issuer or "Steam", name, "SHA1", int(params.get("digits", 5)),
                       secret, period=int(params.get("period", 30)))
    if host == "hotp":
        return account("hotp", issuer, name, algorithm, int(params.get("digits", 6)), secret,
                       counter=int(params.get("counter", 0)))
    if host == "totp":
        return account("totp", issuer, name, algorithm, int(params.get("digits", 6)), secret,
                       period=int(params.get("period", 30)))
    return ("skip", host)


def pb_read(buf: bytes) -> list[tuple[int, object]]:
    """(field number, int or bytes) pairs of one protobuf message."""
    out, i = [], 0

    def varint():
        nonlocal i
        shift = value = 0
        while True:
            byte = buf[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while i < len(buf):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            out.append((number, varint()))
        elif wire == 2:
            length = varint()
            out.append((number, buf[i:i + length]))
            i += length
        else:
            raise ValueError(f"unexpected wire type {wire}")
    return out


def parse_migration(uri: str) -> tuple[list, list, dict]:
    query = uri.partition("?")[2]
    data = urllib.parse.unquote(query.partition("data=")[2].split("&")[0])
    payload = pb_read(base64.b64decode(data))
    entries, skipped, batch = [], [], {}
    index = 0
    for number, value in payload:
        if number != 1:
            batch[{2: "version", 3: "batch_size", 4: "batch_index", 5: "batch_id"}[number]] = value
            continue
        index += 1
        f = dict(pb_read(value))
        algorithm = {0: "SHA1", 1: "SHA1", 2: "SHA256", 3: "SHA512", 4: "MD5"}[f.get(4, 0)]
        digits = {0: 6, 1: 6, 2: 8}[f.get(5, 0)]
        issuer = f.get(3, b"").decode()
        name = f.get(2, b"").decode()
        if ":" in name and name.split(":", 1)[0] == issuer:
            name = name.split(":", 1)[1]
        if algorithm == "MD5":
            skipped.append(dict(kind="md5", index=index))
            continue
        if f.get(6, 0) == 1:
            entries.append(account("hotp", issuer, name, algorithm, digits, f[1],
                                   counter=f.get(7, 0)))
        else:
            entries.append(account("totp", issuer, name, algorithm, digits, f[1], period=30))
    return entries, skipped, batch


# ------------------------------------------------------------------ the format readers


def read_aegis(data: bytes, password: str):
    vault = json.loads(data)
    header = vault["header"]
    if header.get("slots") is None and header.get("params") is None:
        content = vault["db"]
    else:
        master = None
        for slot in header["slots"]:
            if slot["type"] != 1:  # raw (0) and biometric (2) slots need keys we do not have
                continue
            kek = scrypt(password.encode(), bytes.fromhex(slot["salt"]), 32, N=slot["n"],
                         r=slot["r"], p=slot["p"])
            try:
                master = gcm_open(kek, bytes.fromhex(slot["key_params"]["nonce"]),
                                  bytes.fromhex(slot["key"]),
                                  bytes.fromhex(slot["key_params"]["tag"]))
                break
            except Refused:
                continue
        if master is None:
            raise Refused("no password slot opens with this password")
        params = header["params"]
        plain = gcm_open(master, bytes.fromhex(params["nonce"]), b64decode(vault["db"]),
                         bytes.fromhex(params["tag"]))
        content = json.loads(plain)
    assert content["version"] <= 3, content["version"]
    entries, skipped = [], []
    for index, e in enumerate(content["entries"], start=1):
        info = e["info"]
        if e["type"] not in ("totp", "hotp", "steam"):
            skipped.append(dict(kind=e["type"], index=index))
            continue
        entries.append(account(e["type"], e["issuer"], e["name"], info["algo"], info["digits"],
                               b32decode(info["secret"]), period=info.get("period"),
                               counter=info.get("counter")))
    return entries, skipped


def twofas_key(password: str, salt: bytes) -> bytes:
    return PBKDF2(password.encode(), salt, 32, count=10000, hmac_hash_module=SHA256)


def twofas_open(value: str, password: str) -> bytes:
    parts = value.split(":")
    if len(parts) < 3:
        raise Refused("expected data:salt:iv")
    sealed, salt, iv = (b64decode(p) for p in parts[:3])
    if len(sealed) < 16:
        raise Refused("ciphertext shorter than its tag")
    return gcm_open(twofas_key(password, salt), iv, sealed[:-16], sealed[-16:])


def read_2fas(data: bytes, password: str):
    doc = json.loads(data)
    assert doc["schemaVersion"] <= 4
    if doc.get("servicesEncrypted"):
        twofas_open(doc["reference"], password)  # authenticates the password
        services = json.loads(twofas_open(doc["servicesEncrypted"], password))
    else:
        services = doc["services"]
    entries = []
    for s in sorted(services, key=lambda s: s.get("order", {}).get("position", 0)):
        otp = s.get("otp", {})
        token = otp.get("tokenType") or "TOTP"
        type_ = {"TOTP": "totp", "HOTP": "hotp", "STEAM": "steam"}[token]
        issuer = s.get("name") or otp.get("issuer") or ""
        name = otp.get("account") or ""
        default_digits = 5 if type_ == "steam" else 6
        entries.append(account(type_, issuer, name, otp.get("algorithm") or "SHA1",
                               otp.get("digits") or default_digits, b32decode(s["secret"]),
                               period=otp.get("period") or 30, counter=otp.get("counter", 0)))
    return entries, []


def read_ente(data: bytes, password: str):
    text = data.decode("utf-8")
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        assert doc["version"] == 1
        kdf = doc["kdfParams"]
        key = nacl.pwhash.argon2id.kdf(32, password.encode(), b64decode(kdf["salt"]),
                                       opslimit=kdf["opsLimit"], memlimit=kdf["memLimit"])
        header = b64decode(doc["encryptionNonce"])
        cipher = b64decode(doc["encryptedData"])
        if len(header) != 24 or len(cipher) < 17:
            raise Refused("truncated secretstream")
        state = sodium.crypto_secretstream_xchacha20poly1305_state()
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
        try:
            plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, cipher)
        except Exception as e:  # nacl.exceptions.RuntimeError on a bad MAC
            raise Refused("authentication failed") from e
        assert tag in (sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
                       sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL), tag
        text = plain.decode("utf-8")
    entries = []
    for line in text.splitlines():
        if line.strip():
            entries.append(parse_otpauth(line.strip()))
    return entries, []


def read_proton(data: bytes, password: str):
    doc = json.loads(data)
    if "salt" in doc and "content" in doc:
        assert doc["version"] == 1
        salt = b64decode(doc["salt"])
        if len(salt) != 16:
            raise Refused("salt must be 16 bytes")
        key = nacl.pwhash.argon2id.kdf(32, password.encode(), salt, opslimit=2,
                                       memlimit=19 * 1024 * 1024)
        blob = b64decode(doc["content"])
        if len(blob) < 12 + 16:
            raise Refused("content too short")
        doc = json.loads(gcm_open(key, blob[:12], blob[12:-16], blob[-16:],
                                  b"proton.authenticator.export.v1"))
    assert doc["version"] == 1
    entries = []
    for e in doc["entries"]:
        c = e["content"]
        if c["entry_type"] == "Steam":
            secret = base64.b64decode(c["uri"].partition("://")[2])
            entries.append(account("steam", "Steam", c.get("name") or "", "SHA1", 5, secret,
                                   period=30))
        else:
            entries.append(parse_otpauth(c["uri"]))
    return entries, []


def bitwarden_entry(item_name: str, username: str, totp: str):
    if totp.startswith("otpauth://"):
        parsed = parse_otpauth(totp)
        if not parsed["issuer"]:
            parsed["issuer"] = item_name
        if not parsed["name"]:
            parsed["name"] = username
        return parsed
    if totp.lower().startswith("steam://"):
        return account("steam", item_name, username, "SHA1", 5, b32decode(totp[8:]), period=30)
    return account("totp", item_name, username, "SHA1", 6, b32decode(totp), period=30)


def read_bitwarden(data: bytes, password: str):
    text = data.decode("utf-8-sig")
    entries = []
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        assert doc["encrypted"] is False
        for item in doc["items"]:
            login = item.get("login") or {}
            if item["type"] == 1 and login.get("totp"):
                entries.append(bitwarden_entry(item["name"], login.get("username") or "",
                                               login["totp"]))
    else:
        for row in csv.DictReader(io.StringIO(text, newline="")):
            if row.get("type") == "login" and row.get("login_totp"):
                entries.append(bitwarden_entry(row["name"], row.get("login_username") or "",
                                               row["login_totp"]))
    return entries, []


def andotp_decrypt(data: bytes, password: str, variant: str) -> bytes:
    if variant == "pbkdf2":
        if len(data) < 4 + 12 + 12 + 16:
            raise Refused("too short")
        iterations = struct.unpack(">I", data[:4])[0]
        if not 1 <= iterations <= 10_000_000:
            raise Refused("implausible iteration count")
        key = PBKDF2(password.encode(), data[4:16], 32, count=iterations, hmac_hash_module=SHA1)
        body = data[16:]
    else:
        if len(data) < 12 + 16:
            raise Refused("too short")
        key = SHA256.new(password.encode()).digest()
        body = data
    return gcm_open(key, body[:12], body[12:-16], body[-16:])


def read_andotp(data: bytes, password: str, variant: str | None = None):
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = json.loads(andotp_decrypt(data, password, variant))
    entries = []
    for e in doc:
        type_ = e.get("type", "TOTP").lower()
        issuer = e.get("issuer", "")
        name = e["label"]
        entries.append(account(type_, issuer, name, e.get("algorithm", "SHA1"),
                               e.get("digits", 5 if type_ == "steam" else 6),
                               b32decode(e["secret"]), period=e.get("period", 30),
                               counter=e.get("counter", 0)))
    return entries, []


def read_freeotp(data: bytes, password: str):
    doc = json.loads(data)
    entries = []
    for t in doc["tokens"]:
        secret = bytes(b & 0xFF for b in t["secret"])
        issuer = t.get("issuerAlt") or t.get("issuerExt") or t.get("issuerInt") or ""
        name = t.get("labelAlt") or t.get("label") or ""
        if t["type"] == "HOTP":
            entries.append(account("hotp", issuer, name, t["algo"], t["digits"], secret,
                                   counter=t["counter"]))
        elif t.get("issuerExt") == "Steam":
            entries.append(account("steam", issuer, name, t["algo"], t["digits"], secret,
                                   period=t["period"]))
        else:
            entries.append(account("totp", issuer, name, t["algo"], t["digits"], secret,
                                   period=t["period"]))
    return entries, []


def read_lastpass(data: bytes, password: str):
    doc = json.loads(data)
    return [account("totp", a["issuerName"], a["userName"], a["algorithm"], a["digits"],
                    b32decode(a["secret"]), period=a["timeStep"]) for a in doc["accounts"]], []


def read_uris(data: bytes, password: str):
    entries, skipped = [], []
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("otpauth-migration://"):
            found, skips, _ = parse_migration(line)
            entries += found
            skipped += [dict(kind=s["kind"], line=number) for s in skips]
            continue
        parsed = parse_otpauth(line)
        if isinstance(parsed, tuple):
            skipped.append(dict(kind=parsed[1], line=number))
        else:
            entries.append(parsed)
    return entries, skipped


READERS = {"aegis": read_aegis, "2fas": read_2fas, "ente": read_ente, "proton": read_proton,
           "bitwarden": read_bitwarden, "andotp": read_andotp, "freeotp-plus": read_freeotp,
           "lastpass": read_lastpass, "uris": read_uris}


def read(name: str, spec: dict, data: bytes, password: str):
    if not data.strip():
        raise Refused("empty file: nothing to import")  # the same answer for every format
    if spec["format"] == "andotp":
        return read_andotp(data, password, spec.get("variant"))
    return READERS[spec["format"]](data, password)


# ------------------------------------------------------------------ negative copies


def tampered(data: bytes, recipe: dict) -> bytes:
    def flip(raw: bytes) -> bytes:
        b = bytearray(raw)
        b[recipe["offset"]] ^= 0x01
        return bytes(b)

    if recipe["container"] == "raw":
        return flip(data)
    doc = json.loads(data)
    value = doc[recipe["field"]]
    if "split" in recipe:
        parts = value.split(recipe["split"])
        parts[recipe["part"]] = base64.b64encode(flip(base64.b64decode(parts[recipe["part"]]))).decode()
        doc[recipe["field"]] = recipe["split"].join(parts)
    else:
        doc[recipe["field"]] = base64.b64encode(flip(base64.b64decode(value))).decode()
    return json.dumps(doc).encode()


# ------------------------------------------------------------------ main


def main() -> int:
    passed = failed = 0

    def check(ok: bool, what: str, detail: str = "") -> None:
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok    {what}")
        else:
            failed += 1
            print(f"FAIL  {what} {detail}")

    for name, spec in EXPECTED["fixtures"].items():
        data = (HERE / name).read_bytes()
        want_entries = [{k: v for k, v in e.items() if k != "id"} for e in spec["entries"]]
        want_skipped = [{k: v for k, v in s.items() if k in ("kind", "index", "line")}
                        for s in spec["skipped"]]
        if spec["format"] == "google":
            results = zxingcpp.read_barcodes(Image.open(HERE / name))
            texts = [r.text for r in results]
            check(texts == [spec["qr_text"]], f"{name}: QR decodes to qr_text", repr(texts))
            entries, skipped, batch = parse_migration(texts[0] if texts else spec["qr_text"])
            check(batch.get("batch_index", 0) == spec["batch_index"]
                  and batch.get("batch_size") == spec["batch_size"], f"{name}: batch fields",
                  repr(batch))
        else:
            try:
                entries, skipped = read(name, spec, data, PASSWORD)
            except Exception as e:  # report, keep going
                check(False, f"{name}: read", repr(e))
                continue
        check(entries == want_entries, f"{name}: {len(want_entries)} entries field by field",
              json.dumps(entries, ensure_ascii=False, indent=1))
        check(skipped == want_skipped, f"{name}: skipped {[s['kind'] for s in want_skipped]}",
              repr(skipped))
        if not spec.get("encrypted"):
            continue
        copies = {"wrong password": (data, "not-the-password"),
                  "truncated to half": (data[: len(data) // 2], PASSWORD),
                  "tampered (expected.json recipe)": (tampered(data, spec["tamper"]), PASSWORD),
                  "empty file": (b"", PASSWORD)}
        for what, (blob, password) in copies.items():
            try:
                read(name, spec, blob, password)
                check(False, f"{name}: {what} is refused", "it was read")
            except (Refused, ValueError, KeyError, IndexError, UnicodeDecodeError):
                check(True, f"{name}: {what} is refused")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
