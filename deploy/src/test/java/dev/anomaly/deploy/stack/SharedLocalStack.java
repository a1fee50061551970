package dev.anomaly.deploy.stack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One local stack (real broker + real registry) for every integration test class of a test JVM: started on first use,
 * stopped when the JUnit run ends. Test classes use {@code @ExtendWith(SharedLocalStack.class)} and take a
 * {@link LocalStack} parameter; they keep to their own topic names.
 */
public final class SharedLocalStack implements BeforeAllCallback, ParameterResolver {
    private static final String KEY = "anomaly-local-stack";

    @Override
    public void beforeAll(ExtensionContext context) {
        stack(context);
    }

    private static LocalStack stack(ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(KEY, k -> new Resource(), Resource.class).stack;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return stack(context);
    }

    private static final class Resource implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final LocalStack stack;

        Resource() {
            try {
                stack = LocalStack.start();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start the local stack for integration tests", e);
            }
        }

        @Override
        public void close() {
            stack.close();
        }
    }
}
