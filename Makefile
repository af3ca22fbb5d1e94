# Yunwei: two commands.
#   make run    install build dependencies, build (Release), start the server on 127.0.0.1:8080
#   make test   install test dependencies, build, run every test (SQLite and PostgreSQL)
BUILD_DIR ?= build
JOBS ?= 2
LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= ./data

.PHONY: run test build deps test-deps bench clean

run: build
	./$(BUILD_DIR)/yunwei serve --listen $(LISTEN) --data-dir $(DATA_DIR) --demo-if-empty true

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD_DIR) -j $(JOBS) --target yunwei

test: test-deps
	BUILD_DIR=$(BUILD_DIR) JOBS=$(JOBS) scripts/test.sh

bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS)
	bench/run.sh

deps:
	scripts/install-deps.sh build

test-deps:
	scripts/install-deps.sh test

clean:
	rm -rf $(BUILD_DIR)
