# Myelin homeserver image: built with Maven on Temurin 21, run on a Temurin 21 JRE.
#   docker compose up        (see docker-compose.yml: Myelin + PostgreSQL)

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
# Tests need an embedded PostgreSQL and run in CI, not in the image build.
RUN mvn -B -q --no-transfer-progress -DskipTests package -pl server -am

FROM eclipse-temurin:21-jre
# PostgreSQL-style: never run the server as root.
RUN useradd --system --home-dir /var/lib/myelin --shell /usr/sbin/nologin myelin \
 && mkdir -p /var/lib/myelin && chown myelin: /var/lib/myelin
COPY --from=build /src/server/target/classes /opt/myelin/classes
COPY --from=build /src/server/target/lib /opt/myelin/lib
COPY --from=build /src/config/jvm.options /opt/myelin/jvm.options
USER myelin
WORKDIR /var/lib/myelin
# Inside a container, loopback is unreachable from outside: listen on all interfaces.
ENV MYELIN_DATA_DIR=/var/lib/myelin \
    MYELIN_BIND_ADDRESS=0.0.0.0
VOLUME /var/lib/myelin
EXPOSE 8008 8448
# Exec form: java is PID 1 and receives SIGTERM for a clean shutdown.
ENTRYPOINT ["java", "@/opt/myelin/jvm.options", "-cp", "/opt/myelin/classes:/opt/myelin/lib/*", "org.myelin.server.Main"]
