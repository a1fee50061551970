package dev.anomaly.schemas.release;

import dev.anomaly.schemas.avro.BaselineStatistics;
import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.schemas.avro.ModelRelease;
import dev.anomaly.schemas.avro.ReleaseReason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReleaseSigningTest {
    @TempDir
    static Path dir;
    static SigningKey publisher;
    static SigningKey stranger;
    static TrustedKeys trusted;

    @BeforeAll
    static void keys() throws IOException {
        String id = SigningKey.generate(dir, "publisher");
        SigningKey.generate(dir.resolve("other"), "stranger");
        publisher = SigningKey.read(dir.resolve("publisher.key"));
        stranger = SigningKey.read(dir.resolve("other/stranger.key"));
        assertThat(publisher.keyId()).isEqualTo(id).hasSize(16);
        trusted = TrustedKeys.read(List.of(dir.resolve("publisher.pub")), false);
    }

    static ModelRelease release() {
        return ModelRelease.newBuilder().setModelId("pumps").setVersion(3).setKind(ModelKind.AE)
                .setCreatedAt(Instant.ofEpochMilli(1_767_225_600_000L)).setOnnx(ByteBuffer.wrap(new byte[]{1, 2, 3, 4, 5}))
                .setFeatureSpec("{\"features\":[]}").setThreshold(7.5)
                .setBaseline(BaselineStatistics.newBuilder().setProbabilities(List.of(0.5)).setScoreQuantiles(List.of(1.0))
                        .setFeatureQuantiles(Map.of()).setRows(10).build())
                .setMetrics(Map.of()).setReason(ReleaseReason.MANUAL).setNote("test").build();
    }

    @Test
    void shouldAcceptAReleaseSignedByATrustedKey() {
        ModelRelease signed = ReleaseSigning.sign(release(), publisher);

        assertThat(signed.getSignature().getKeyId().toString()).isEqualTo(publisher.keyId());
        assertThat(trusted.refusal(signed)).isEmpty();
    }

    @Test
    void shouldRefuseAnUnsignedReleaseUnlessAllowed() {
        assertThat(trusted.refusal(release())).hasValueSatisfying(why -> assertThat(why).startsWith("unsigned release"));
        assertThat(new TrustedKeys(trusted.keys(), true).refusal(release())).isEmpty();
    }

    @Test
    void shouldRefuseAReleaseSignedByAnUnknownKeyEvenWhenUnsignedOnesAreAllowed() {
        ModelRelease signed = ReleaseSigning.sign(release(), stranger);

        assertThat(new TrustedKeys(trusted.keys(), true).refusal(signed))
                .hasValueSatisfying(why -> assertThat(why).contains("signed by key " + stranger.keyId()).contains("not trusted"));
    }

    @Test
    void shouldRefuseAReleaseChangedAfterSigning() {
        ModelRelease signed = ReleaseSigning.sign(release(), publisher);
        byte[] flipped = {1, 2, 3, 4, 4};

        for (ModelRelease changed : List.of(
                ModelRelease.newBuilder(signed).setOnnx(ByteBuffer.wrap(flipped)).build(),
                ModelRelease.newBuilder(signed).setVersion(Integer.MAX_VALUE).build(),
                ModelRelease.newBuilder(signed).setThreshold(1e30).build(),
                ModelRelease.newBuilder(signed).setModelId("pumps2").build(),
                ModelRelease.newBuilder(signed).setFeatureSpec("{}").build(),
                ModelRelease.newBuilder(signed).setImmediate(true).build(),
                ModelRelease.newBuilder(signed).setNote("test\nversion:1:9").build())) {
            assertThat(trusted.refusal(changed)).as(changed.toString().substring(0, 60))
                    .hasValueSatisfying(why -> assertThat(why).startsWith("bad signature"));
        }
    }

    @Test
    void shouldRefuseAGarbledSignatureWithAReasonNotAnException() {
        ModelRelease signed = ReleaseSigning.sign(release(), publisher);
        signed.getSignature().setValue(ByteBuffer.wrap(new byte[]{1, 2, 3}));

        assertThat(trusted.refusal(signed)).hasValueSatisfying(why -> assertThat(why).startsWith("bad signature"));
    }

    @Test
    void shouldKeepThePrivateKeyToItsOwnerAndNeverOverwriteAKey() throws IOException {
        assertThat(Files.getPosixFilePermissions(dir.resolve("publisher.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThatThrownBy(() -> SigningKey.generate(dir, "publisher")).hasMessageContaining("not overwriting");
    }

    @Test
    void shouldReadEveryKeyOfADirectoryAndNameABadPath() {
        TrustedKeys both = TrustedKeys.read(List.of(dir, dir.resolve("other")), false);

        assertThat(both.keyIds()).containsExactlyInAnyOrder(publisher.keyId(), stranger.keyId());
        assertThatThrownBy(() -> TrustedKeys.read(List.of(dir.resolve("nope.pub")), false)).hasMessageContaining("nope.pub");
        assertThatThrownBy(() -> TrustedKeys.read(List.of(dir.resolve("publisher.key")), false))
                .hasMessageContaining("publisher.key is not a PEM file with a PUBLIC KEY");
    }
}
