package dev.anomaly.deploy.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class AnomalyCliTest {
    @Test
    void shouldPrintHelpListingTheSubcommands() {
        StringWriter out = new StringWriter();
        CommandLine cli = AnomalyCli.commandLine();
        cli.setOut(new PrintWriter(out));

        int code = cli.execute("--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("Usage: anomaly").contains("demo");
    }

    @Test
    void shouldFailWithUsageOnUnknownCommand() {
        StringWriter err = new StringWriter();
        CommandLine cli = AnomalyCli.commandLine();
        cli.setErr(new PrintWriter(err));

        int code = cli.execute("frobnicate");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("frobnicate");
    }
}
