package dev.anomaly.trainer.family;

import dev.anomaly.schemas.avro.ModelKind;
import dev.anomaly.trainer.model.ModelFamily;
import dev.anomaly.trainer.model.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelFamiliesTest {

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void shouldHaveOneFamilyForEveryKindTheContractsName(ModelKind kind) {
        ModelFamily family = ModelFamilies.of(kind);

        assertThat(family.kind()).isEqualTo(kind);
        assertThat(ModelFamilies.all()).contains(family);
    }

    @ParameterizedTest
    @EnumSource(ModelKind.class)
    void shouldReadBackItsOwnHyperParametersFromAModelsSettings(ModelKind kind) {
        ModelFamily family = ModelFamilies.of(kind);
        TrainingConfig config = TrainingConfig.defaults(family, 6, 1000);

        // A model stores config.describe(); its family is picked back out of all of those settings.
        assertThat(ModelFamilies.fromMetadata(kind, config.describe())).isEqualTo(family);
    }

    @Test
    void shouldKeepNonDefaultHyperParametersThroughTheModelsSettings() {
        ModelFamily sparse = ModelFamilies.of(ModelKind.AE, Map.of("sparsity", "0.25"));
        ModelFamily beta = ModelFamilies.of(ModelKind.VAE, Map.of("beta", "4"));

        assertThat(sparse).isEqualTo(new Autoencoder(0.25));
        assertThat(beta).isEqualTo(new VariationalAutoencoder(4));
        assertThat(ModelFamilies.fromMetadata(ModelKind.AE, TrainingConfig.defaults(sparse, 6).describe())).isEqualTo(sparse);
        assertThat(ModelFamilies.fromMetadata(ModelKind.VAE, TrainingConfig.defaults(beta, 6).describe())).isEqualTo(beta);
    }

    @Test
    void shouldRefuseAHyperParameterTheFamilyHasNot() {
        assertThatThrownBy(() -> ModelFamilies.of(ModelKind.VAE, Map.of("sparsity", "0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vae has no hyper-parameter sparsity (it has: beta)");
        assertThatThrownBy(() -> ModelFamilies.of(ModelKind.AE, Map.of("sparsity", "lots")))
                .hasMessage("sparsity must be a number, got 'lots'");
        assertThatThrownBy(() -> ModelFamilies.of(ModelKind.VAE, Map.of("beta", "0")))
                .hasMessage("beta must be > 0");
    }

    @Test
    void shouldGiveModelsWrittenBeforeAHyperParameterExistedItsDefault() {
        assertThat(ModelFamilies.fromMetadata(ModelKind.VAE, Map.of("hidden", "[16]"))).isEqualTo(new VariationalAutoencoder(1.0));
        assertThat(ModelFamilies.fromMetadata(ModelKind.AE, Map.of())).isEqualTo(new Autoencoder(0.0));
    }
}
