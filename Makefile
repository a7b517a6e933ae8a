# pg_woocommerce — PGXS build of the extension, plus the project's entry points:
#   make demo     install packages, build, start a private cluster, deploy, show it working
#   make test     the same on a throwaway cluster, then every test suite
#   make bench    benchmarks, each against the plain-SQL way of doing the same work
#   make fuzz     the ingestion fuzzer, 10 minutes (make test runs it for 40 s)
# Nothing here needs a running server except demo/test/bench, which start their own.

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)

EXTENSION_NAME = pg_woocommerce
EXT_VERSION := $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" extension/$(EXTENSION_NAME).control)

MODULE_big = $(EXTENSION_NAME)
CORE_SRCS = $(wildcard extension/core/*.cpp)
GLUE_SRCS = $(wildcard extension/pg/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(GLUE_SRCS:.cpp=.o)

# Control file and SQL scripts live in subdirectories, so install them as DATA
# into the extension directory rather than through EXTENSION.
MODULEDIR = extension
DATA = extension/$(EXTENSION_NAME).control $(wildcard sql/$(EXTENSION_NAME)--*.sql)
DATA_built = build/sql/$(EXTENSION_NAME)--$(EXT_VERSION).sql

# make installcheck (after make install, against the running server PGHOST/PGPORT,
# which must preload the library): test/sql + test/expected, the SQL API's
# documented examples, then test/specs, the concurrency races as isolation specs.
# scripts/regress-db.sh creates their database with every migration deployed.
REGRESS = hash_email ingest
REGRESS_OPTS = --inputdir=test --outputdir=build/regress --use-existing --temp-config=test/woo.conf
ISOLATION = new_category order_moved rollup_rebuild
ISOLATION_OPTS = --inputdir=test --outputdir=build/isolation --use-existing
REGRESS_PREP = regress-db
EXTRA_CLEAN = build/sql build/regress build/isolation $(OBJS:.o=.d)

PG_CPPFLAGS = -Iextension
PG_CXXFLAGS = -std=c++17 -Wno-register -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
# Header dependencies: each object's .d (from -MMD) is included below, so a changed
# header rebuilds what includes it (Debian's PGXS is built without autodepend).
PG_CXXFLAGS += -MMD -MP
SHLIB_LINK = -lcrypto -lcrypt -lstdc++

# Debian's PGXS would also emit LLVM bitcode with clang, without PG_CXXFLAGS.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
else
all install:
	@echo "PostgreSQL server headers (PGXS) not found: run 'make deps' (or 'make demo' / 'make test')" >&2; exit 1
endif

# The isolation specs run in the regression tests' database (PGXS would name
# another, which nothing creates: --use-existing).
ISOLATION_TESTDB = $(CONTRIB_TESTDB)

-include $(OBJS:.o=.d)

# PostgreSQL headers are not C++-clean; treat them as system headers.
override CPPFLAGS := $(patsubst -I%,-isystem %,$(filter -I$(includedir_server)%,$(CPPFLAGS))) $(filter-out -I$(includedir_server)%,$(CPPFLAGS))

# woo-load, the bulk loader (a libpq client), is built by CMake and installed
# next to PostgreSQL's programs (pg_config --bindir).
WOO_LOAD = build/cmake/woo-load
all: $(WOO_LOAD)
install: install-woo-load
$(WOO_LOAD): CMakeLists.txt $(wildcard loader/*.cpp loader/*.hpp)
	cmake -S . -B build/cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/cmake -j2 --target woo-load
.PHONY: install-woo-load
install-woo-load: $(WOO_LOAD)
	$(INSTALL_PROGRAM) $(WOO_LOAD) '$(DESTDIR)$(bindir)/woo-load'

# The current version's script is the full script in sql/; older versions are frozen files.
build/sql/$(EXTENSION_NAME)--$(EXT_VERSION).sql: sql/$(EXTENSION_NAME).sql extension/$(EXTENSION_NAME).control
	@mkdir -p $(dir $@)
	cp $< $@

.PHONY: deps unit demo demo-stop test bench fuzz regress-db
regress-db:
	scripts/regress-db.sh contrib_regression

deps:
	scripts/deps.sh

# GoogleTest suite of the PostgreSQL-free core.
unit:
	cmake -S . -B build/cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build/cmake -j2
	cd build/cmake && ctest --output-on-failure --no-tests=error

demo: deps
	$(MAKE) all
	$(MAKE) install
	scripts/demo.sh

demo-stop:
	scripts/cluster.sh stop demo

test: deps
	$(MAKE) all
	$(MAKE) install
	scripts/test.sh

bench: deps
	$(MAKE) all
	$(MAKE) install
	$(MAKE) unit
	scripts/bench.sh

# The ingestion fuzzer for 10 minutes (FUZZ_SECONDS, FUZZ_SEED); make test runs it for 40 s.
fuzz: deps
	$(MAKE) all
	$(MAKE) install
	scripts/fuzz.sh
