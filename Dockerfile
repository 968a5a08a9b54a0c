# The orchestrator image: the jar (mvn package), its routes and config. ffmpeg comes inside the jar.
FROM eclipse-temurin:17-jre
WORKDIR /app
# curl for the compose healthcheck (GET /observe/health/ready); newer Temurin images no longer carry it
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY target/talkreel.jar /app/talkreel.jar
COPY config /app/config
COPY routes /app/routes
EXPOSE 8080
ENTRYPOINT ["java", "-Xmx512m", "-jar", "/app/talkreel.jar", "serve"]
