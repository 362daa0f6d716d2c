package dev.fovea.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** The option reminders in parse errors: the first sentence of a description, abbreviations kept whole. */
class ParseErrorsTest {
    @Test
    void theFirstSentenceEndsAtAFullStopOutsideParenthesesAndAbbreviations() {
        assertEquals(8, ParseErrors.sentenceEnd("Run this. Then that."));
        assertEquals(-1, ParseErrors.sentenceEnd("Where to write (a Parquet folder, e.g. p.parquet)."));
        assertEquals(25, ParseErrors.sentenceEnd("Scale, i.e. multiply by x. Then more."));
        assertEquals(-1, ParseErrors.sentenceEnd("One sentence."));
    }

    @Test
    void aPurposeIsTheFirstSentenceWithoutItsDefaultLowerCased() {
        OptionSpec epochs = OptionSpec.builder("--epochs")
                .description("Total epochs of the run (default: 50). Fractions work.").build();
        assertEquals("total epochs of the run", ParseErrors.purpose(epochs));
        OptionSpec out = OptionSpec.builder("--out")
                .description("Where to write the predictions (a Parquet folder, e.g. predictions.parquet).").build();
        // One sentence of 73 characters: too long to remind, so none rather than a cut one.
        assertEquals("", ParseErrors.purpose(out));
        OptionSpec port = OptionSpec.builder("--port").description("TCP port to listen on.").build();
        assertEquals("TCP port to listen on", ParseErrors.purpose(port));
    }
}
