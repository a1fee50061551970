package dev.anomaly.trainer.model;

/**
 * One fully connected layer {@code y = act(x W + b)}.
 *
 * @param weights row-major {@code in x out}
 */
public record DenseWeights(int in, int out, float[] weights, float[] bias, Activation activation) {
    public DenseWeights {
        if (weights.length != in * out || bias.length != out) {
            throw new IllegalArgumentException("layer " + in + "x" + out + " has " + weights.length + " weights and " + bias.length + " biases");
        }
    }

    /** Forward pass of {@code rows} row-major inputs, accumulating in double. */
    public float[] forward(float[] x, int rows) {
        float[] y = new float[rows * out];
        double[] acc = new double[out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                acc[o] = bias[o];
            }
            for (int i = 0; i < in; i++) {
                double xi = x[r * in + i];
                if (xi == 0) {
                    continue;
                }
                int base = i * out;
                for (int o = 0; o < out; o++) {
                    acc[o] += xi * weights[base + o];
                }
            }
            for (int o = 0; o < out; o++) {
                y[r * out + o] = activation.apply((float) acc[o]);
            }
        }
        return y;
    }
}
