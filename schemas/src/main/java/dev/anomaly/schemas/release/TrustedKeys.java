package dev.anomaly.schemas.release;

import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseSignature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The publishers' public keys a detector trusts, by key id, and the check of a release against them.
 *
 * @param allowUnsigned whether a release without a signature may serve (a badly signed one never may)
 */
public record TrustedKeys(Map<String, PublicKey> keys, boolean allowUnsigned) {
    public TrustedKeys {
        keys = Map.copyOf(keys);
    }

    /**
     * Reads each path: a {@code .pub} file, or a directory whose {@code *.pub} files are read.
     *
     * @throws IllegalArgumentException naming a path that is missing, unreadable, holds no key or a bad one
     */
    public static TrustedKeys read(List<Path> paths, boolean allowUnsigned) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (Path p : paths) {
            List<Path> files;
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    files = s.filter(f -> f.getFileName().toString().endsWith(".pub")).sorted().toList();
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot list " + p + ": " + e.getMessage(), e);
                }
                if (files.isEmpty()) {
                    throw new IllegalArgumentException("no *.pub key in " + p);
                }
            } else if (Files.isRegularFile(p)) {
                files = List.of(p);
            } else {
                throw new IllegalArgumentException("no such key file or directory: " + p);
            }
            for (Path f : files) {
                PublicKey key = SigningKey.readPublic(f);
                keys.put(SigningKey.keyId(key), key);
            }
        }
        return new TrustedKeys(keys, allowUnsigned);
    }

    /** Trusting {@code keys} only. */
    public static TrustedKeys of(PublicKey... keys) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        for (PublicKey k : keys) {
            m.put(SigningKey.keyId(k), k);
        }
        return new TrustedKeys(m, false);
    }

    public Set<String> keyIds() {
        return keys.keySet();
    }

    /** Why {@code release} may not serve, or empty when its signature is good (or it is unsigned and that is allowed). */
    public Optional<String> refusal(ModelRelease release) {
        ReleaseSignature s = release.getSignature();
        if (s == null) {
            return allowUnsigned ? Optional.empty()
                    : Optional.of("unsigned release (sign it with 'anomaly publish --signing-key', or set detector.models.allow.unsigned=true)");
        }
        if (!ReleaseSigning.ALGORITHM.equals(s.getAlgorithm().toString())) {
            return Optional.of("signature algorithm " + s.getAlgorithm() + " is not " + ReleaseSigning.ALGORITHM);
        }
        PublicKey key = keys.get(s.getKeyId().toString());
        if (key == null) {
            return Optional.of("signed by key " + s.getKeyId() + ", which is not trusted (trusted: "
                    + (keys.isEmpty() ? "none" : String.join(", ", keys.keySet())) + ")");
        }
        try {
            Signature v = Signature.getInstance(ReleaseSigning.ALGORITHM);
            v.initVerify(key);
            v.update(ReleaseSigning.signedContent(release));
            if (!v.verify(ReleaseSigning.bytes(s.getValue()))) {
                return Optional.of("bad signature by key " + s.getKeyId() + ": the release was changed after it was signed");
            }
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            return Optional.of("bad signature by key " + s.getKeyId() + ": " + e.getMessage());
        }
    }
}
