package org.myelin.server.tls;

import java.nio.file.Path;

/** A PEM certificate chain and its PEM (PKCS#8) private key, as a TLS listener loads them. */
public record TlsFiles(Path certificate, Path key) {}
