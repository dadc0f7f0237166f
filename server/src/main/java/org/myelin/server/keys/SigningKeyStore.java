package org.myelin.server.keys;

import org.myelin.protocol.crypto.SigningKey;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the server's signing key in a file, in Synapse's format so keys can move between
 * servers: one line {@code ed25519 <version> <unpadded base64 seed>}. Generated once (32
 * random bytes from {@link SecureRandom}, a random 6-character version) and then loaded at
 * every start: a server that changed its key would look like an impostor to its peers.
 */
public final class SigningKeyStore {

    private static final Logger LOG = LoggerFactory.getLogger(SigningKeyStore.class);
    private static final Pattern LINE = Pattern.compile("ed25519 ([A-Za-z0-9_]+) ([A-Za-z0-9+/]{43}=?)");
    private static final String ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private SigningKeyStore() {}

    /** Loads the key in {@code file}, creating the file with a new key if it does not exist. */
    public static SigningKey loadOrCreate(Path file, SecureRandom random) {
        try {
            if (Files.exists(file)) {
                return load(file);
            }
            SigningKey key = generate(random);
            write(file, key);
            LOG.info("Generated signing key {} in {}", key.keyId(), file);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the signing key file " + file, e);
        }
    }

    static SigningKey load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (lines.isEmpty()) {
            throw new IllegalStateException("signing key file " + file + " is empty; delete it to generate a new key");
        }
        // Synapse allows several lines (old keys); the first one signs.
        Matcher m = LINE.matcher(lines.get(0));
        if (!m.matches()) {
            throw new IllegalStateException("signing key file " + file
                    + " is malformed: expected one line 'ed25519 VERSION UNPADDED_BASE64_SEED'");
        }
        return SigningKey.fromSeed(m.group(1), Base64.getDecoder().decode(m.group(2)));
    }

    static SigningKey generate(SecureRandom random) {
        byte[] seed = new byte[32];
        random.nextBytes(seed);
        StringBuilder version = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            version.append(ALPHANUMERIC.charAt(random.nextInt(ALPHANUMERIC.length())));
        }
        return SigningKey.fromSeed(version.toString(), seed);
    }

    private static void write(Path file, SigningKey key) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String line = SigningKey.ALGORITHM + " " + key.version() + " "
                + Base64.getEncoder().withoutPadding().encodeToString(key.seed()) + "\n";
        // Written aside and moved into place, so a crash never leaves half a key behind.
        Path tmp = Files.createTempFile(dir, "signing", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.writeString(tmp, line);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
