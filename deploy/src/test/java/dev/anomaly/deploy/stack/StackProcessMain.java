package dev.anomaly.deploy.stack;

import java.net.URI;

/** Runs a local stack in its own JVM for {@link LocalStackLifecycleTest}; prints the ports, then waits to be killed. */
public final class StackProcessMain {
    private StackProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        LocalStack stack = LocalStack.start();
        int registryPort = URI.create(stack.schemaRegistryUrl()).getPort();
        int kafkaPort = Integer.parseInt(stack.bootstrapServers().substring(stack.bootstrapServers().lastIndexOf(':') + 1));
        System.out.println("READY " + kafkaPort + " " + registryPort);
        System.out.flush();
        Thread.currentThread().join();
    }
}
