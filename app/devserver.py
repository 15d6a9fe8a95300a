"""`make run`: the whole product on one machine, with demo data.

Starts (or reuses) the embedded PostgreSQL when DATABASE_URL is not set, applies the
migrations, loads the demo data the first time, then runs the jobs worker beside the web
server until Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _stop_like_ctrl_c(signum, frame):
    """SIGTERM (a supervisor, `kill`) stops everything as Ctrl-C does, children included."""
    raise KeyboardInterrupt


def main() -> int:
    env = dict(os.environ)
    env.setdefault("MAILLAGE_DEMO", "1")
    env.setdefault("FLASK_APP", "app:create_app")
    instance = Path(env.setdefault("MAILLAGE_INSTANCE", str(ROOT / "instance")))
    host = env.get("HOST", "127.0.0.1")
    port = env.get("PORT", "5000")
    env.setdefault("BASE_URL", f"http://{host if host != '0.0.0.0' else '127.0.0.1'}:{port}")
    if not env.get("DATABASE_URL"):
        from app.core import embedded_db

        print("Base de données : PostgreSQL embarqué (pgserver) dans", instance / "pgdata")
        env["DATABASE_URL"] = embedded_db.owner_url(instance)
    else:
        print("Base de données : DATABASE_URL")
    flask = [sys.executable, "-m", "flask"]
    run = lambda *args: subprocess.run([*flask, *args], env=env, cwd=ROOT, check=True)  # noqa: E731
    run("db", "upgrade")
    if env.get("MAILLAGE_DEMO") == "1":
        run("demo", "load")
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    start_worker = lambda: subprocess.Popen([*flask, "worker"], env=env, cwd=ROOT)  # noqa: E731
    worker = start_worker()
    print(f"\nMaillage est prêt : {env['BASE_URL']}  (Ctrl-C pour arrêter)\n")
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2",
         "--threads", "4", "--access-logfile", "-", "wsgi:app"],
        env=env, cwd=ROOT,
    )
    try:
        # The worker outlives database outages by itself; should it still end (a crash),
        # it is started again: without it no e-mail would ever leave.
        while web.poll() is None:
            if worker.poll() is not None:
                print(f"Le worker s’est arrêté (code {worker.returncode}) ; redémarrage.")
                time.sleep(2)
                worker = start_worker()
            time.sleep(1)
        return web.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
