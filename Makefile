# batchq: `make run` runs the main job end to end on defaults, `make test` runs the tests.
MVN ?= mvn -B -q
JAR := target/batchq-cli.jar
JSA := target/batchq.jsa
# For bench and experiment, which start java themselves: OpenMP waiting and the neural net's pinned kernels as in
# bin/batchq (which says why). The tests' JVMs get the same from the POMs.
export GOMP_SPINCOUNT ?= 10000
export MKL_CBWR ?= AVX2,STRICT
export ATEN_CPU_CAPABILITY ?= avx2

.PHONY: build spark run test bench bench-spark experiment ope-experiment interop clean

build: $(JAR) $(JSA)

# The core depends on the runtime artifact (runtime/, its own Maven project), so it is installed first.
$(JAR): pom.xml runtime/pom.xml $(shell find src/main runtime/src/main -type f)
	$(MVN) -f runtime/pom.xml -DskipTests install
	$(MVN) -DskipTests package
	cp target/batchq-*-cli.jar $(JAR)

# Class-data sharing: the classes a small `run` loads (collect, fit, evaluate, plots), archived once per build so
# that bin/batchq starts every command about 0.5 s sooner (docs/BENCHMARKS.md, "Start-up"). A JVM that cannot
# write or use it starts as before.
$(JSA): $(JAR)
	rm -rf target/cds-run $(JSA)
	java -XX:ArchiveClassesAtExit=$(JSA).tmp -Xlog:cds=off,cds+dynamic=off -Djava.awt.headless=true -jar $(JAR) \
	  run --rounds 2 --episodes 20 --eval-episodes 10 --iterations 3 --trees 5 --dir target/cds-run \
	  > target/cds-run.log 2>&1 && mv $(JSA).tmp $(JSA) || echo "no class-data archive (see target/cds-run.log)"
	rm -rf target/cds-run

# The Spark engine (spark/, its own Maven project): installs the core jar it builds on, then builds
# spark/target/batchq-spark-*.jar (the launcher's) and *-app.jar (for spark-submit). Downloads Spark once.
spark:
	$(MVN) -f runtime/pom.xml -DskipTests install
	$(MVN) -DskipTests install
	cd spark && $(MVN) -DskipTests package

run: build
	bin/batchq run --force

# Not quiet: Surefire's closing "Tests run:" lines are what CI reads. The runtime's tests run first, on its own
# classpath (Jackson only); the core's run in `install`, which also puts the core jar where spark/ finds it; then
# spark/'s tests run against it.
test:
	mvn -B --no-transfer-progress -f runtime/pom.xml install
	mvn -B --no-transfer-progress install
	cd spark && mvn -B --no-transfer-progress test

# JMH (the acting-latency benchmark) is a test dependency: its jars join the bench's classpath.
bench: build
	$(MVN) -DskipTests test-compile
	$(MVN) dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=test \
	  -DincludeArtifactIds=jmh-core,jopt-simple,commons-math3
	java -Xmx8g -cp $(JAR):target/test-classes:$$(cat target/jmh.classpath) org.batchq.bench.Bench

# Spark engine in local[2] against the local engine at 1 million transitions (docs/BENCHMARKS.md).
bench-spark: build spark
	spark/bench.sh

# Learning quality over seeds, written to docs/RESULTS.md, one block per variant (about 15-40 minutes each):
# ALG=single runs one algorithm; a variant may carry fit options, e.g. ALG='"single --ensemble 3"'; SEEDS=100-109
# reports other seeds than the 1-5 defaults were chosen on, ENV=Acrobot-v1 another environment. It resumes.
experiment: build
	$(MVN) -DskipTests test-compile
	java -Xmx16g $(if $(SEEDS),-Dseeds=$(SEEDS)) $(if $(ENV),-Denv=$(ENV)) \
	  -cp $(JAR):target/test-classes org.batchq.bench.Experiment $(ALG)

# Off-policy estimates against online truths in CartPole-v1, written to docs/ope.md (resumes from
# target/ope-experiment); OPE_OPTIONS='...' adds options to every `batchq ope` call.
ope-experiment: build
	$(MVN) -DskipTests test-compile
	java -Xmx16g -cp $(JAR):target/test-classes org.batchq.bench.OpeExperiment

# Every model kind's Q-values recomputed by Debian's python3-xgboost (1.7) and compared with batchq's
# (docs/model-format.md). Installs the package where missing when run as root; otherwise says how and exits 2.
PYTHON := /usr/bin/python3
interop: build
	@$(PYTHON) -c 'import xgboost' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-xgboost; \
	  else echo "make interop needs Debian's python3-xgboost: sudo apt-get install -y python3-xgboost"; exit 2; fi; }
	$(MVN) -DskipTests test-compile
	java -cp $(JAR):target/test-classes org.batchq.bench.Interop target/interop
	$(PYTHON) docs/examples/interop.py target/interop

clean:
	$(MVN) -f runtime/pom.xml clean
	$(MVN) clean
	cd spark && $(MVN) clean
