# jianguan: `make run` to try it, `make test` to check it. Both work from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
DEMO_ENTITIES ?= 50000

.PHONY: run test bench lint format install worker clean-var

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/jianguan migrate --noinput -v0
	$(BIN)/jianguan seed_demo --if-empty --entities $(DEMO_ENTITIES) --seed 1
	$(BIN)/jianguan seed_demo_checks --if-empty --seed 1
	$(BIN)/jianguan seed_demo_testing --if-empty --seed 1
	@echo "后台任务进程（导入、抽取等长时间工作）和每小时的定时工作（到期公示、名单届满移出）已随服务一同启动。"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/jianguan db_worker --interval 0.5 >> var/worker.log 2>&1 & \
	  while true; do $(BIN)/jianguan publish_due; $(BIN)/jianguan credit_expire; $(BIN)/jianguan testing_due; $(BIN)/jianguan publish_audit_head; sleep 3600; done >> var/scheduled.log 2>&1 & \
	  echo "打开 http://$(HOST)/ 登录（Ctrl+C 停止）"; \
	  $(BIN)/jianguan runserver $(HOST)

test: $(STAMP)
	$(BIN)/python tools/run_tests.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools
