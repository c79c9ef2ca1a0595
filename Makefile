# batchq: `make run` runs the main job end to end on defaults, `make test` runs the tests.
MVN ?= mvn -B -q
JAR := target/batchq-cli.jar

.PHONY: build run test bench experiment clean

build: $(JAR)

$(JAR): pom.xml $(shell find src/main -type f)
	$(MVN) -DskipTests package
	cp target/batchq-*-cli.jar $(JAR)

run: build
	bin/batchq run --force

# Not quiet: Surefire's closing "Tests run:" lines are what CI reads.
test:
	mvn -B --no-transfer-progress test

bench: build
	$(MVN) -DskipTests test-compile
	java -Xmx8g -cp $(JAR):target/test-classes org.batchq.bench.Bench

# Learning quality over seeds (about an hour); ALG=single runs one algorithm. Writes docs/RESULTS.md.
experiment: build
	$(MVN) -DskipTests test-compile
	java -Xmx16g -cp $(JAR):target/test-classes org.batchq.bench.Experiment $(ALG)

clean:
	$(MVN) clean
