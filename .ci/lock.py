"""Write requirements.lock: the installed versions of everything saksham[dev] needs (run: .venv/bin/python .ci/lock.py > requirements.lock)."""
import re
from importlib.metadata import distribution

from packaging.requirements import Requirement

seen, todo = {}, [Requirement("saksham[dev]")]
while todo:
    r = todo.pop()
    name = re.sub(r"[-_.]+", "-", r.name).lower()
    extras = set(r.extras)
    if name in seen and extras <= seen[name][1]:
        continue
    d = distribution(r.name)
    prev = seen.get(name, (d, set()))[1]
    seen[name] = (d, prev | extras)
    for req in d.requires or []:
        q = Requirement(req)
        env = [{"extra": e} for e in (extras or {""})]
        if q.marker is None or any(q.marker.evaluate(e) for e in env):
            todo.append(q)
print("# Every distribution `pip install -e \".[dev]\"` installs, pinned (the Makefile installs with it as a constraint;")
print("# .ci/run audits it with pip-audit). Regenerate after changing pyproject.toml's dependencies.")
for name, (d, _) in sorted(seen.items()):
    if name != "saksham":
        print(f"{name}=={d.version}")
