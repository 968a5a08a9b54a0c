# The orchestrator image: the jar (mvn package), its routes and config. ffmpeg comes inside the jar.
FROM eclipse-temurin:17-jre
WORKDIR /app
# curl for the compose healthcheck (GET /observe/health/ready); newer Temurin images no longer carry it
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY target/talkreel.jar /app/talkreel.jar
COPY config /app/config
COPY routes /app/routes
# AppCDS (Java 17): one training start of serve, stopped a second after it is up, records the classes a start loads
# (about 10,000); every later start maps them from talkreel.jsa instead of reading, verifying and parsing them out of
# the jar, about a third less time to ready (bench/run.sh startup). Same JVM, same jar path: an archive the JVM finds
# unfit is ignored (-Xshare:auto, the default), never fatal. The training touches no service and no real volume.
RUN java @/app/config/jvm.options -XX:ArchiveClassesAtExit=/app/talkreel.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
        -Dcamel.main.duration-max-seconds=1 -Dtalkreel.shared.dir=/tmp/cds-training/shared \
        -Dtalkreel.infinitetalk.output.dir=/tmp/cds-training/output -jar /app/talkreel.jar serve \
    && rm -rf /tmp/cds-training && test -s /app/talkreel.jsa
EXPOSE 8080
# two malloc arenas, not eight per core: talkreel's threads mostly wait, and every arena keeps memory it once used
ENV MALLOC_ARENA_MAX=2
# JVM options (heap, collector, JIT): config/jvm.options
ENTRYPOINT ["java", "@/app/config/jvm.options", "-XX:SharedArchiveFile=/app/talkreel.jsa", "-jar", "/app/talkreel.jar", "serve"]
