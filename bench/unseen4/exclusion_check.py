"""Plain substring exclusion check: python excl.py URL..."""
import os, re, sys
ROOTS = ["/work/wt/unseen4", "/work/shared/cases", "/work/shared/seed", "/work/shared/docs/ne-knowledge.md"]
texts = []
for root in ROOTS:
    if os.path.isfile(root):
        texts.append((root, open(root, encoding="utf-8", errors="replace").read())); continue
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in (".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")]
        for f in files:
            p = os.path.join(d, f)
            if "/bench/unseen4/stories" in p: continue
            try: texts.append((p, open(p, encoding="utf-8", errors="replace").read()))
            except Exception: pass
def keys(url):
    ks = []
    m = re.search(r"github\.com/([^/]+/[^/]+/(?:issues|pull|discussions)/\d+)", url)
    if m: ks.append(m.group(1)); n = url.rstrip("/").split("/")[-1]; 
    if m and len(n) >= 4: ks.append(n)
    m = re.search(r"questions/(\d+)", url)
    if m: ks += ["questions/" + m.group(1), m.group(1)]
    m = re.search(r"thread/(\d+)", url)
    if m: ks += ["thread/" + m.group(1), m.group(1)]
    if not ks: ks.append(url.split("://")[-1].rstrip("/"))
    return ks
for url in sys.argv[1:]:
    hits = []
    for k in keys(url):
        for p, t in texts:
            if k in t: hits.append((k, p))
    print(("HIT " if hits else "ok  ") + url + ("  " + str(hits[:3]) if hits else ""))
