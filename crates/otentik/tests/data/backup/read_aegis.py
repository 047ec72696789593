#!/usr/bin/env python3
"""Opens an Aegis vault as Aegis does, independently of Otentik's Rust reader.

Used by the Rust test that checks Otentik's *writer*: the backup it writes must open in a
reader that shares no code with it. Follows Aegis's docs/vault.md: for each password slot,
scrypt(password, salt, n, r, p) -> key, AES-256-GCM-open the slot's master key, then
AES-256-GCM-open the base64 `db` with params.nonce/tag. Prints the entries as JSON:
[{"type", "issuer", "name", "secret", "algo", "digits", "period"|"counter"}].

Needs python3-cryptography (Debian package; scripts/deps.sh installs it).

    python3 read_aegis.py VAULT.json PASSWORD
"""
import base64
import json
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt


def master_key(header, password):
    for slot in header["slots"]:
        if slot["type"] != 1:
            continue
        kek = Scrypt(salt=bytes.fromhex(slot["salt"]), length=32, n=slot["n"], r=slot["r"],
                     p=slot["p"]).derive(password.encode("utf-8"))
        params = slot["key_params"]
        try:
            return AESGCM(kek).decrypt(bytes.fromhex(params["nonce"]),
                                       bytes.fromhex(slot["key"]) + bytes.fromhex(params["tag"]),
                                       None)
        except Exception:  # a wrong password for this slot: try the next
            continue
    sys.exit("no password slot opens with this password")


def main():
    path, password = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        vault = json.load(f)
    assert vault["version"] == 1, "file version"
    header = vault["header"]
    if header["slots"] is None:
        content = vault["db"]
    else:
        key = master_key(header, password)
        params = header["params"]
        plain = AESGCM(key).decrypt(bytes.fromhex(params["nonce"]),
                                    base64.b64decode(vault["db"]) + bytes.fromhex(params["tag"]),
                                    None)
        content = json.loads(plain.decode("utf-8"))
    assert 1 <= content["version"] <= 3, "content version"
    out = []
    for entry in content["entries"]:
        info = entry["info"]
        item = {"type": entry["type"], "issuer": entry["issuer"], "name": entry["name"],
                "secret": info["secret"], "algo": info["algo"], "digits": info["digits"]}
        if entry["type"] == "hotp":
            item["counter"] = info["counter"]
        else:
            item["period"] = info["period"]
        out.append(item)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
