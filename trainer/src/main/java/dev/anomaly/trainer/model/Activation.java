package dev.anomaly.trainer.model;

/** Hidden-layer activations that both DL4J and the ONNX export support. */
public enum Activation {
    RELU(org.nd4j.linalg.activations.Activation.RELU),
    LEAKYRELU(org.nd4j.linalg.activations.Activation.LEAKYRELU),
    ELU(org.nd4j.linalg.activations.Activation.ELU),
    TANH(org.nd4j.linalg.activations.Activation.TANH),
    SIGMOID(org.nd4j.linalg.activations.Activation.SIGMOID),
    IDENTITY(org.nd4j.linalg.activations.Activation.IDENTITY);

    /** DL4J's LeakyReLU slope (its default). */
    public static final float LEAKY_ALPHA = 0.01f;

    private final org.nd4j.linalg.activations.Activation dl4j;

    Activation(org.nd4j.linalg.activations.Activation dl4j) {
        this.dl4j = dl4j;
    }

    public org.nd4j.linalg.activations.Activation dl4j() {
        return dl4j;
    }

    /** The same function in Java, for the reference computation. */
    public float apply(float x) {
        return switch (this) {
            case RELU -> Math.max(0f, x);
            case LEAKYRELU -> x >= 0 ? x : LEAKY_ALPHA * x;
            case ELU -> x >= 0 ? x : (float) Math.expm1(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1 / (1 + Math.exp(-x)));
            case IDENTITY -> x;
        };
    }
}
