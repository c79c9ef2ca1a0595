# batchq: `make run` runs the main job end to end on defaults, `make test` runs the tests.
MVN ?= mvn -B -q
JAR := target/batchq-cli.jar

.PHONY: build run test bench clean

build: $(JAR)

$(JAR): pom.xml $(shell find src/main -type f)
	$(MVN) -DskipTests package
	cp target/batchq-*-cli.jar $(JAR)

run: build
	bin/batchq collect --episodes 1000 --seed 1 --out datasets/random-1k.parquet --force
	bin/batchq info datasets/random-1k.parquet

test:
	$(MVN) test

bench: build
	$(MVN) -DskipTests test-compile
	java -Xmx8g -cp $(JAR):target/test-classes org.batchq.bench.Bench

clean:
	$(MVN) clean
