#!/usr/bin/python3
# A stand-in for `otentik browser-host`, for trying the extension without the Rust side: the same
# protocol (docs/browser.md), accounts kept in a JSON file, every add confirmed at once (the real
# host asks the user), every request logged. Test only: it keeps secrets in a plain file.
#   OTENTIK_FAKE_HOST_DIR  where state.json and host.log go (default: a folder in /tmp)
import base64, hashlib, hmac, json, os, struct, sys, time, urllib.parse

DIR = os.environ.get("OTENTIK_FAKE_HOST_DIR") or "/tmp/otentik-fake-host"
os.makedirs(DIR, exist_ok=True)
STATE = os.path.join(DIR, "state.json")
LOG = os.path.join(DIR, "host.log")
MAX = 64 * 1024

def log(*a):
    with open(LOG, "a") as f:
        f.write(" ".join(str(x) for x in a) + "\n")

def load():
    try:
        with open(STATE) as f:
            return json.load(f)
    except FileNotFoundError:
        return {"locked": False, "accounts": []}

def save(s):
    with open(STATE, "w") as f:
        json.dump(s, f)

def totp(secret, period=30, digits=6):
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time()) // period
    h = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = h[-1] & 15
    v = (struct.unpack(">I", h[o:o + 4])[0] & 0x7FFFFFFF) % 10 ** digits
    return str(v).zfill(digits), period - int(time.time()) % period

def allowed(origin):
    u = urllib.parse.urlsplit(origin)
    return u.scheme == "https" or (u.scheme == "http" and u.hostname in ("127.0.0.1", "::1", "localhost"))

def handle(req):
    s = load()
    t = req.get("type")
    err = lambda c, m: {"type": "error", "code": c, "message": m}
    if t == "status":
        return {"type": "status", "locked": s["locked"], "version": "0.1.0"}
    origin = req.get("origin")
    if not isinstance(origin, str) or not allowed(origin):
        return err("origin_not_allowed", "origin not allowed")
    if t == "accounts":
        return {"type": "accounts", "origin": origin,
                "accounts": [{"id": a["id"], "issuer": a["issuer"], "label": a["label"]} for a in s["accounts"] if origin in a["origins"]]}
    if s["locked"]:
        return err("vault_locked", "Otentik terkunci")
    if t == "code":
        for a in s["accounts"]:
            if a["id"] == req.get("account"):
                if origin not in a["origins"]:
                    return err("origin_not_bound", "not bound")
                code, left = totp(a["secret"])
                return {"type": "code", "account": a["id"], "code": code, "period": 30, "remaining": left}
        return err("not_found", "no such account")
    if t == "add":
        u = urllib.parse.urlsplit(req.get("uri", ""))
        q = urllib.parse.parse_qs(u.query)
        if u.scheme != "otpauth" or "secret" not in q:
            return err("invalid_uri", "invalid uri")
        label = urllib.parse.unquote(u.path.lstrip("/"))
        issuer = q.get("issuer", [label.split(":")[0] if ":" in label else ""])[0]
        name = label.split(":", 1)[-1]
        acc = {"id": "acc%d" % (len(s["accounts"]) + 1), "issuer": issuer, "label": name, "secret": q["secret"][0], "origins": [origin]}
        s["accounts"].append(acc)
        save(s)
        return {"type": "added", "account": {"id": acc["id"], "issuer": issuer, "label": name}}
    return err("bad_request", "unknown type")

log("start", sys.argv[1:], "cwd", os.getcwd())
while True:
    head = sys.stdin.buffer.read(4)
    if len(head) < 4:
        log("eof")
        break
    n = struct.unpack("=I", head)[0]
    if n > MAX:
        log("too large", n)
        rep = {"type": "error", "code": "too_large", "message": "message too large"}
        out = json.dumps(rep).encode()
        sys.stdout.buffer.write(struct.pack("=I", len(out)) + out)
        sys.stdout.buffer.flush()
        break
    raw = sys.stdin.buffer.read(n)
    try:
        req = json.loads(raw)
        rep = handle(req) if isinstance(req, dict) else {"type": "error", "code": "bad_request", "message": "not an object"}
    except Exception as e:
        req, rep = raw, {"type": "error", "code": "bad_request", "message": str(e)}
    if isinstance(req, dict) and isinstance(req.get("id"), str):
        rep["id"] = req["id"]
    log("req", json.dumps(req), "->", json.dumps(rep))
    out = json.dumps(rep).encode()
    sys.stdout.buffer.write(struct.pack("=I", len(out)) + out)
    sys.stdout.buffer.flush()
