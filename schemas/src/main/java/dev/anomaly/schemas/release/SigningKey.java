package dev.anomaly.schemas.release;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * A publisher's Ed25519 private key and its id. Keys are PEM files: {@code NAME.key} (PKCS#8, private, mode 0600) and
 * {@code NAME.pub} (X.509 SubjectPublicKeyInfo), as {@code openssl genpkey -algorithm ed25519} writes them.
 *
 * @param keyId the first 16 hex digits of the SHA-256 of the public key's X.509 encoding
 */
public record SigningKey(String keyId, PrivateKey privateKey) {
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    /** Reads a private key file; a clear error when it is missing or not an Ed25519 PKCS#8 PEM. */
    public static SigningKey read(Path file) {
        byte[] der = pem(file, PRIVATE);
        try {
            KeyFactory f = KeyFactory.getInstance(ReleaseSigning.ALGORITHM);
            PrivateKey key = f.generatePrivate(new PKCS8EncodedKeySpec(der));
            return new SigningKey(keyId(publicKeyOf(file, key)), key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 private key (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a public key file. */
    public static PublicKey readPublic(Path file) {
        byte[] der = pem(file, PUBLIC);
        try {
            return KeyFactory.getInstance(ReleaseSigning.ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }

    /** The id of a public key. */
    public static String keyId(PublicKey key) {
        return ReleaseSigning.sha256(key.getEncoded()).substring(0, 16);
    }

    /**
     * Writes a new key pair as {@code dir/NAME.key} (readable by the owner only) and {@code dir/NAME.pub}; refuses to
     * overwrite either.
     *
     * @return the key id
     */
    public static String generate(Path dir, String name) throws IOException {
        Path priv = dir.resolve(name + ".key");
        Path pub = dir.resolve(name + ".pub");
        for (Path p : new Path[]{priv, pub}) {
            if (Files.exists(p)) {
                throw new IllegalArgumentException(p + " exists; not overwriting a key");
            }
        }
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance(ReleaseSigning.ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e); // Ed25519 is in every JDK since 15
        }
        Files.createDirectories(dir);
        Files.writeString(priv, "");
        try {
            Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's protection applies
        }
        Files.writeString(priv, toPem(PRIVATE, pair.getPrivate().getEncoded()));
        Files.writeString(pub, toPem(PUBLIC, pair.getPublic().getEncoded()));
        return keyId(pair.getPublic());
    }

    /**
     * The public half of {@code key}: read from the {@code .pub} file beside it. (An Ed25519 private key in PKCS#8 v1
     * does not carry its public key, and the JDK has no API to derive it.)
     */
    private static PublicKey publicKeyOf(Path privateFile, PrivateKey key) {
        String name = privateFile.getFileName().toString().replaceFirst("\\.key$", "");
        Path pub = privateFile.resolveSibling(name + ".pub");
        if (!Files.isRegularFile(pub)) {
            throw new IllegalArgumentException("no public key " + pub + " beside the signing key " + privateFile
                    + " (its id is the public key's digest)");
        }
        return readPublic(pub);
    }

    private static byte[] pem(Path file, String type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(file + " is not a PEM file with a " + type);
        }
        try {
            return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": bad base64 in the " + type, e);
        }
    }

    private static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
