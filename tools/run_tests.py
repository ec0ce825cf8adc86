"""Run the whole suite on the database DATABASE_URL names (in-memory SQLite when unset).

Browser tests run when Debian's chromium is found; otherwise they are skipped with a loud
warning, unless JIANGUAN_REQUIRE_E2E=1 (CI), where a missing browser is a failure.
"""

import os
import shutil
import subprocess
import sys

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    os.environ.setdefault("JIANGUAN_VAR", os.path.join(os.getcwd(), "var", "test"))
    db = os.environ.get("DATABASE_URL", "sqlite (in memory)")
    if db.startswith(("postgres://", "postgresql://")):
        # a PostgreSQL run must stay one: tests/conftest.py fails it otherwise, and fails any
        # PostgreSQL-only test that is skipped
        os.environ.setdefault("JIANGUAN_EXPECT_DATABASE", "postgresql")
    print(f"== jianguan tests on {db.split('@')[-1]}", flush=True)
    args = [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", *sys.argv[1:]]
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("JIANGUAN_REQUIRE_E2E") == "1":
            print(
                "!! JIANGUAN_REQUIRE_E2E=1 but chromium is missing: apt-get install -y chromium",
                flush=True,
            )
            return 1
        print(
            "!" * 70 + "\n!! chromium not found: browser (e2e) tests are SKIPPED.\n"
            "!! Install Debian's chromium (apt-get install -y chromium) to run them.\n" + "!" * 70,
            flush=True,
        )
        args += ["-m", "not e2e"]
    return subprocess.call(args)


if __name__ == "__main__":
    sys.exit(main())
