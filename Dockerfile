# The orchestrator image: the jar (mvn package), its routes and config. ffmpeg comes inside the jar.
FROM eclipse-temurin:17-jre
WORKDIR /app
COPY target/talkreel.jar /app/talkreel.jar
COPY config /app/config
COPY routes /app/routes
EXPOSE 8080
ENTRYPOINT ["java", "-Xmx512m", "-jar", "/app/talkreel.jar", "serve"]
