# The two commands of README.md. Everything else is plain CMake (see CMakePresets.json).
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Release: without debug information a clean build is about a quarter faster, and CI has 90 minutes
# for both builds and every test (docs/build.md). For a debugger: make CMAKE_FLAGS=-DCMAKE_BUILD_TYPE=RelWithDebInfo
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: run test deps configure build demo clean format format-check
.PHONY: torch-wheel configure-cuda cuda-engine test-cuda-engine

# The second engine build: LibTorch 2.x with CUDA from the pinned PyPI wheel (docs/gpu-engine.md).
# Engine and engine tests only; the studio stays in $(BUILD_DIR) and picks an engine at run time.
TORCH_VENV ?= .venv-torch
CUDA_BUILD_DIR ?= build-cuda
# Release: the build people train with, and a clean build takes 15 min here instead of about 25 with
# RelWithDebInfo's debug information (docs/gpu-engine.md).
CUDA_CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

run: build
	./scripts/run-main.sh $(BUILD_DIR)

# Tests run one at a time: two at a time on two cores made each multi-threaded test 1.5-1.7x slower
# and the Shakespeare recipe over 5x (docs/build.md). TEST_JOBS=N runs N (the studio's alone).
TEST_JOBS ?= 1

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j$(TEST_JOBS)

deps:
	./scripts/install-deps.sh

# Ninja for a new build folder (docs/build.md); an existing one keeps the generator it was made with.
generator = $(if $(wildcard $(1)/CMakeCache.txt),,-G Ninja)

configure: deps
	cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

demo: build
	./scripts/demo.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(CUDA_BUILD_DIR)

torch-wheel:
	./scripts/setup-torch-wheel.sh $(TORCH_VENV)

configure-cuda: deps torch-wheel
	cmake -S . -B $(CUDA_BUILD_DIR) $(call generator,$(CUDA_BUILD_DIR)) $(CUDA_CMAKE_FLAGS) -DTEMPER_BUILD_STUDIO=OFF -DTEMPER_TEST_SET=engine \
	  -DCMAKE_PREFIX_PATH="$$(./scripts/setup-torch-wheel.sh $(TORCH_VENV) | tail -n 1)"

cuda-engine: configure-cuda
	cmake --build $(CUDA_BUILD_DIR) -j$(JOBS)

test-cuda-engine: cuda-engine
	cd $(CUDA_BUILD_DIR) && ctest --output-on-failure -j$(TEST_JOBS) $(CUDA_CTEST_FLAGS)

format-check: deps
	./scripts/format-check.sh

format: deps
	./scripts/format-check.sh --fix
