package dev.anomaly.scoring.onnx;

import dev.anomaly.scoring.ModelException;
import dev.anomaly.scoring.ModelMetadata;
import dev.anomaly.scoring.ScoreBatch;
import dev.anomaly.scoring.ScoringModel;
import dev.anomaly.scoring.ScoringOptions;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An exported anomaly model running in ONNX Runtime. Input {@value #INPUT} {@code [N, F]} raw features; outputs
 * {@value #SCORE} {@code [N]}, {@value #EXPECTED} and {@value #CONTRIBUTION} {@code [N, F]}. The input is passed as a
 * direct buffer (no copy into native memory); each scoring thread keeps its own buffer. A second session runs the
 * graph cut down to the score ({@link OnnxPruning}), for {@link #scoreExplainingAbove}; it is used only if it scores
 * a probe batch exactly as the full graph does.
 */
public final class OnnxScoringModel implements ScoringModel {
    private static final Logger log = LoggerFactory.getLogger(OnnxScoringModel.class);
    public static final String INPUT = "features";
    public static final String SCORE = "score";
    public static final String EXPECTED = "expected";
    public static final String CONTRIBUTION = "contribution";

    /** Rows of the load-time check that the score-only graph scores exactly as the full one. */
    private static final int PROBE_ROWS = 64;

    private final OrtEnvironment env;
    private final OrtSession session;
    /** The graph cut down to the score (null if that failed): explanations cost about a fifth of a full run. */
    private final OrtSession scoreOnly;
    private final ModelMetadata metadata;
    private final int width;
    private final String device;
    private final long[][] outputShapes; // score, expected, contribution; -1 where the batch size goes
    private final ThreadLocal<Buffers> buffers = new ThreadLocal<>();

    /**
     * Direct buffers per thread, reused across calls: the rows go in without a copy on the native side, and ONNX
     * Runtime writes the outputs into them (pinned outputs) instead of allocating tensors that are then copied twice.
     */
    private record Buffers(FloatBuffer input, FloatBuffer score, FloatBuffer expected, FloatBuffer contribution, int rows) {
    }

    private OnnxScoringModel(OrtEnvironment env, OrtSession session, OrtSession scoreOnly, ModelMetadata metadata, int width, String device)
            throws OrtException {
        this.env = env;
        this.session = session;
        this.scoreOnly = scoreOnly;
        this.metadata = metadata;
        this.width = width;
        this.device = device;
        Map<String, NodeInfo> outputs = session.getOutputInfo();
        this.outputShapes = new long[][]{shape(outputs, SCORE), shape(outputs, EXPECTED), shape(outputs, CONTRIBUTION)};
    }

    private static long[] shape(Map<String, NodeInfo> outputs, String name) {
        return ((TensorInfo) outputs.get(name).getInfo()).getShape();
    }

    public static OnnxScoringModel load(Path file, ScoringOptions options) {
        try {
            return load(Files.readAllBytes(file), options);
        } catch (IOException e) {
            throw new ModelException("Cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads and checks a model: it must parse, hold no external data, custom operators or local functions, carry anomaly
     * metadata, and have the expected inputs and outputs.
     *
     * @throws ModelException saying what is wrong
     */
    public static OnnxScoringModel load(byte[] onnx, ScoringOptions options) {
        List<String> refused = OnnxContentCheck.problems(onnx);
        if (!refused.isEmpty()) {
            throw new ModelException("Model refused: " + String.join("; ", refused));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String device = "cpu";
        OrtSession session;
        OrtSession scoreOnly = null;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.intraOpThreads());
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (options.wantsCuda()) {
                device = tryCuda(so, options.cudaDeviceId());
            }
            session = env.createSession(onnx, so);
            try {
                scoreOnly = env.createSession(OnnxPruning.keepOnly(onnx, SCORE), so);
            } catch (OrtException | RuntimeException e) {
                log.info("Model has no separable score graph ({}); every row is scored with its explanation", e.getMessage());
            }
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
        try {
            ModelMetadata metadata = ModelMetadata.fromProperties(session.getMetadata().getCustomMetadata());
            int width = checkSignature(session, metadata.featureSpec().width());
            OnnxScoringModel model = new OnnxScoringModel(env, session, scoreOnly, metadata, width, device);
            return model.scoreOnly == null || model.scoreOnlyAgrees() ? model : model.withoutScoreOnly();
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session);
            if (scoreOnly != null) {
                closeQuietly(scoreOnly);
            }
            if (e instanceof ModelException m) {
                throw m;
            }
            throw new ModelException("Invalid anomaly model: " + e.getMessage(), e);
        }
    }

    /** Whether the score-only graph gives exactly the full graph's scores on a fixed probe batch. */
    private boolean scoreOnlyAgrees() {
        float[] probe = new float[PROBE_ROWS * width];
        for (int i = 0; i < probe.length; i++) {
            probe[i] = ((i * 37) % 17 - 8) / 4f;
        }
        float[] full = run(session, probe, PROBE_ROWS).score();
        float[] alone = scoreOnlyRun(probe, PROBE_ROWS);
        if (java.util.Arrays.equals(full, alone)) {
            return true;
        }
        log.warn("The model's score-only graph scores differently from the full graph; explaining every row instead");
        return false;
    }

    private OnnxScoringModel withoutScoreOnly() throws OrtException {
        closeQuietly(scoreOnly);
        return new OnnxScoringModel(env, session, null, metadata, width, device);
    }

    /** Adds the CUDA provider, or explains in one warning why scoring stays on the CPU. */
    static String tryCuda(OrtSession.SessionOptions so, int deviceId) {
        try {
            so.addCUDA(deviceId);
            log.info("Scoring on CUDA device {}", deviceId);
            return "cuda:" + deviceId;
        } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
            log.warn("CUDA device {} requested but unavailable ({}); scoring on CPU. Build with -Pgpu and run on a host"
                    + " with an NVIDIA driver and CUDA 12 to use the GPU.", deviceId, e.getMessage());
            return "cpu";
        }
    }

    private static int checkSignature(OrtSession session, int specWidth) throws OrtException {
        Map<String, NodeInfo> inputs = session.getInputInfo();
        NodeInfo in = inputs.get(INPUT);
        if (in == null || inputs.size() != 1) {
            throw new ModelException("Model must have exactly one input '" + INPUT + "', has " + inputs.keySet());
        }
        long[] shape = ((TensorInfo) in.getInfo()).getShape();
        if (shape.length != 2 || shape[1] != specWidth) {
            throw new ModelException("Model input '" + INPUT + "' has shape " + java.util.Arrays.toString(shape)
                    + " but its feature spec has " + specWidth + " columns");
        }
        for (String out : new String[]{SCORE, EXPECTED, CONTRIBUTION}) {
            if (!session.getOutputInfo().containsKey(out)) {
                throw new ModelException("Model lacks output '" + out + "' (has " + session.getOutputInfo().keySet() + ")");
            }
        }
        return specWidth;
    }

    @Override
    public ModelMetadata metadata() {
        return metadata;
    }

    @Override
    public int width() {
        return width;
    }

    /** Whether {@link #scoreExplainingAbove} runs the graph cut down to the score (else it explains every row). */
    public boolean hasScoreOnlyGraph() {
        return scoreOnly != null;
    }

    /** {@code cpu} or {@code cuda:N}: where this session actually runs. */
    public String device() {
        return device;
    }

    @Override
    public ScoreBatch score(float[] input, int rows) {
        checkInput(input, rows);
        return rows == 0 ? empty() : run(session, input, rows);
    }

    /**
     * Runs the score-only graph on every row, then the full graph on the rows above the threshold alone: below it
     * nobody reads the explanation, and computing it is about a fifth of a full run.
     */
    @Override
    public ScoreBatch scoreExplainingAbove(float[] input, int rows, double threshold) {
        if (scoreOnly == null) {
            return score(input, rows);
        }
        checkInput(input, rows);
        if (rows == 0) {
            return empty();
        }
        float[] score = scoreOnlyRun(input, rows);
        int[] above = new int[rows];
        int k = 0;
        for (int i = 0; i < rows; i++) {
            if (score[i] > threshold) {
                above[k++] = i;
            }
        }
        float[] expected = new float[rows * width];
        float[] contribution = new float[rows * width];
        if (k > 0) {
            float[] picked = new float[k * width];
            for (int j = 0; j < k; j++) {
                System.arraycopy(input, above[j] * width, picked, j * width, width);
            }
            ScoreBatch explained = run(session, picked, k);
            for (int j = 0; j < k; j++) {
                System.arraycopy(explained.expected(), j * width, expected, above[j] * width, width);
                System.arraycopy(explained.contribution(), j * width, contribution, above[j] * width, width);
            }
        }
        return new ScoreBatch(rows, width, score, expected, contribution);
    }

    private void checkInput(float[] input, int rows) {
        if (input.length < rows * width) {
            throw new IllegalArgumentException("input has " + input.length + " floats, " + rows + " rows need " + rows * width);
        }
    }

    private ScoreBatch empty() {
        return new ScoreBatch(0, width, new float[0], new float[0], new float[0]);
    }

    /** The full graph: scores, expected values and contributions of every row. */
    private ScoreBatch run(OrtSession full, float[] input, int rows) {
        Buffers b = buffers(rows);
        FloatBuffer in = b.input().clear().put(input, 0, rows * width).flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, new long[]{rows, width});
             OnnxTensor score = OnnxTensor.createTensor(env, b.score().clear().limit(rows), batchShape(0, rows));
             OnnxTensor expected = OnnxTensor.createTensor(env, b.expected().clear().limit(rows * width), batchShape(1, rows));
             OnnxTensor contribution = OnnxTensor.createTensor(env, b.contribution().clear().limit(rows * width), batchShape(2, rows));
             OrtSession.Result result = full.run(Map.of(INPUT, tensor), Set.of(),
                     Map.of(SCORE, score, EXPECTED, expected, CONTRIBUTION, contribution))) {
            return new ScoreBatch(rows, width, floats(b.score(), rows), floats(b.expected(), rows * width),
                    floats(b.contribution(), rows * width));
        } catch (OrtException e) {
            throw new ModelException("Scoring failed: " + e.getMessage(), e);
        }
    }

    /** The score-only graph: scores of every row. */
    private float[] scoreOnlyRun(float[] input, int rows) {
        Buffers b = buffers(rows);
        FloatBuffer in = b.input().clear().put(input, 0, rows * width).flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, in, new long[]{rows, width});
             OnnxTensor score = OnnxTensor.createTensor(env, b.score().clear().limit(rows), batchShape(0, rows));
             OrtSession.Result result = scoreOnly.run(Map.of(INPUT, tensor), Set.of(), Map.of(SCORE, score))) {
            return floats(b.score(), rows);
        } catch (OrtException e) {
            throw new ModelException("Scoring failed: " + e.getMessage(), e);
        }
    }

    private long[] batchShape(int output, int rows) {
        long[] shape = outputShapes[output].clone();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                shape[i] = rows;
            }
        }
        return shape;
    }

    private Buffers buffers(int rows) {
        Buffers b = buffers.get();
        if (b == null || b.rows() < rows) {
            int n = Math.max(rows, 256);
            b = new Buffers(direct(n * width), direct(n), direct(n * width), direct(n * width), n);
            buffers.set(b);
        }
        return b;
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static float[] floats(FloatBuffer written, int n) {
        float[] out = new float[n];
        written.get(0, out);
        return out;
    }

    @Override
    public void close() {
        closeQuietly(session);
        if (scoreOnly != null) {
            closeQuietly(scoreOnly);
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            log.warn("Closing ONNX session failed: {}", e.getMessage());
        }
    }
}
