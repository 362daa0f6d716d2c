package dev.fovea.serve;

import static dev.fovea.nn.ActivationFunction.RELU;
import static dev.fovea.nn.Padding.SAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.data.Augmentation;
import dev.fovea.data.Dataset;
import dev.fovea.data.ImageFolder;
import dev.fovea.data.Normalization;
import dev.fovea.io.ModelFile;
import dev.fovea.io.ReferenceFiles;
import dev.fovea.loss.SparseCategoricalCrossentropy;
import dev.fovea.nn.ActivationFunction;
import dev.fovea.nn.Conv2D;
import dev.fovea.nn.Dense;
import dev.fovea.nn.Flatten;
import dev.fovea.nn.Input;
import dev.fovea.nn.MaxPooling2D;
import dev.fovea.nn.Model;
import dev.fovea.nn.SymbolicTensor;
import dev.fovea.optim.Adam;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import dev.fovea.train.DataFeed;
import dev.fovea.train.FitOptions;
import dev.fovea.train.Trainer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page driven in headless Chromium (Debian's {@code chromium} and {@code chromium-driver})
 * against a real server with two small models trained here on the shared CIFAR-10 sample, one in
 * a run folder with a report: upload real image files, wait for the bars and the decoded overlay,
 * and hold the predicted class to the one {@code fovea predict} computes (the same decoding,
 * preprocessing and a fresh load of the model file); and a file that is no image among real ones,
 * which gets a card saying why in plain words. Never skipped: CI installs both packages.
 */
class PageInChromiumTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SAMPLE = ReferenceFiles.datasets().resolve("cifar10-images-sample");
    /** Held so the level set on it is not lost when the logger is collected: Selenium warns it has no CDP for Chromium's version, which this test does not use. */
    static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

    @TempDir
    static Path dir;
    static Path runModel;
    static Path plainModel;
    static InferenceServer server;
    static ChromeDriverService service;
    static ChromeDriver driver;

    @BeforeAll
    static void start() throws IOException {
        DEVTOOLS_LOG.setLevel(Level.OFF);
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new AssertionError(p + " is missing: this test drives the web page in headless Chromium through"
                        + " Debian's chromium and chromium-driver packages; install them (apt-get install chromium"
                        + " chromium-driver, as .ci/run does)");
            }
        }
        Dataset train = ImageFolder.load(SAMPLE, new ImageFolder.Options(32, 32, true), w -> { }).train();
        Normalization norm = Normalization.fit(train);
        Path run = Files.createDirectories(dir.resolve("run-a"));
        runModel = train(train, norm, run.resolve(ServedModel.RUN_MODEL), 1);
        Files.writeString(run.resolve("report.html"), "<!doctype html><title>report</title><h1>report of run-a</h1>");
        plainModel = train(train, norm, dir.resolve("plain.safetensors"), 2);
        server = InferenceServer.start(ServeOptions.defaults(0), List.of(ServedModel.load(null, run),
                ServedModel.load(null, plainModel)), List.of(new WebPage()), System.err);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .build();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toString());
        o.addArguments("--headless=new", "--window-size=1200,1000", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run");
        o.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        driver = new ChromeDriver(service, o);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Conv(8)-pool-dense(10) trained one epoch on the sample (well under a second), with its class names. */
    static Path train(Dataset data, Normalization norm, Path file, long seed) {
        SymbolicTensor in = Input.of(32, 32, 3);
        SymbolicTensor x = new Conv2D(8, 3, SAME, RELU).apply(in);
        x = new MaxPooling2D(4).apply(x);
        x = new Flatten().apply(x);
        Model m = Model.of(in, new Dense(10, ActivationFunction.SOFTMAX).apply(x));
        m.initialize(seed);
        new Trainer(m, new Adam(0.003), new SparseCategoricalCrossentropy())
                .fit(new DataFeed(data, Augmentation.none(), norm, seed), new FitOptions().epochs(1).batchSize(64).verbose(0));
        ModelFile.save(file, m, new ModelFile.Info(data.classNames(), norm.toMap(), Map.of("seed", seed)));
        return file;
    }

    /** {@code fovea predict}'s class for {@code image}: read and resized by ImageFolder, the file's preprocessing, a fresh model. */
    static String predicted(Path model, Path image) {
        ModelFile.Loaded l = ModelFile.load(model);
        byte[] rgb = ImageFolder.readRgb(image, 32, 32);
        float[] x = new float[rgb.length];
        Normalization.fromMap(l.info().preprocessing(), 3).toFloat(rgb, 0, x, 0, x.length);
        float[] y = l.model().forward(new Tensor(Shape.of(1, 32, 32, 3), x), false).data();
        int best = 0;
        for (int j = 1; j < y.length; j++) {
            best = y[j] > y[best] ? j : best;
        }
        return l.info().classNames().get(best);
    }

    /** A checksum of the overlay's pixels in the page: the image drawn unscaled on a canvas. */
    static long pageChecksum(WebElement img) {
        return ((Number) ((JavascriptExecutor) driver).executeScript("""
                const img = arguments[0];
                const c = document.createElement('canvas');
                c.width = img.naturalWidth; c.height = img.naturalHeight;
                const g = c.getContext('2d');
                g.drawImage(img, 0, 0);
                const d = g.getImageData(0, 0, c.width, c.height).data;
                let s = 0;
                for (let i = 0; i < d.length; i += 4) s = (s * 31 + d[i] * 3 + d[i + 1] * 5 + d[i + 2] * 7) % 1000000007;
                return s;""", img)).longValue();
    }

    /** The same checksum of the PNG the explain route answers for {@code image} and class {@code cls}. */
    static long serverChecksum(String model, Path image, int cls) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = Fixture.HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models/"
                + model + "/explain?class=" + cls)).POST(HttpRequest.BodyPublishers.ofFile(image)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(r.body()));
        long s = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int p = png.getRGB(x, y);
                s = (s * 31 + (p >> 16 & 0xFF) * 3 + (p >> 8 & 0xFF) * 5 + (p & 0xFF) * 7) % 1000000007L;
            }
        }
        return s;
    }

    static WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(30));
    }

    /** Waits until {@code n} cards of model {@code model} are done, and returns them in upload order. */
    static List<WebElement> done(String model, int n) {
        By cards = By.cssSelector(".card[data-model='" + model + "']");
        waiting().until(d -> {
            List<WebElement> c = d.findElements(cards);
            return c.size() == n && c.stream().allMatch(e -> "done".equals(e.getDomAttribute("data-state"))
                    || "error".equals(e.getDomAttribute("data-state")));
        });
        List<WebElement> c = driver.findElements(cards);
        for (WebElement e : c) {
            assertEquals("done", e.getDomAttribute("data-state"), e.getText());
        }
        return c;
    }

    @Test
    void uploadExplainSwitchModelsAndReadTheSummaryWithoutConsoleErrors() throws Exception {
        consoleProblems(); // another test's expected refusals stay out of this one's console
        Path cat = SAMPLE.resolve("val/cat").resolve(first(SAMPLE.resolve("val/cat")));
        Path ship = SAMPLE.resolve("val/ship").resolve(first(SAMPLE.resolve("val/ship")));
        driver.get(server.url() + "/");
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        Select select = new Select(driver.findElement(By.id("model")));
        assertEquals(List.of("run-a", "plain"), select.getOptions().stream().map(WebElement::getText).toList());
        WebElement report = driver.findElement(By.id("report-link"));
        assertTrue(report.isDisplayed(), "the run-folder model links its training report");
        assertEquals(server.url() + "/v1/models/run-a/report", report.getDomProperty("href"));
        assertTrue(Fixture.get(server, "/v1/models/run-a/report").body().contains("report of run-a"));

        driver.findElement(By.id("files")).sendKeys(cat.toAbsolutePath() + "\n" + ship.toAbsolutePath());
        List<WebElement> cards = done("run-a", 2);
        for (int i = 0; i < 2; i++) {
            Path image = i == 0 ? cat : ship;
            WebElement card = cards.get(i);
            assertEquals(image.getFileName().toString(), card.findElement(By.className("file")).getText());
            List<WebElement> bars = card.findElements(By.className("bar"));
            assertEquals(5, bars.size());
            for (WebElement bar : bars) {
                // What a person sees: the drawn blue fill is the probability's share of the track.
                double p = Double.parseDouble(bar.findElement(By.className("pct")).getText().replace("%", "")) / 100;
                double track = bar.findElement(By.className("track")).getRect().getWidth();
                double fill = bar.findElement(By.className("fill")).getRect().getWidth();
                assertEquals(p * track, fill, 1.5, "the fill of bar " + bar.getDomAttribute("data-class"));
            }
            String want = predicted(runModel, image);
            assertEquals(want, bars.get(0).getDomAttribute("data-class"), image + ": the top bar is predict's class");
            assertEquals(want, card.getDomAttribute("data-predicted"));
            assertEquals(want, card.getDomAttribute("data-explained"));
            WebElement overlay = card.findElement(By.className("overlay"));
            assertEquals("256", overlay.getDomProperty("naturalWidth"), "the overlay decoded at 256 px");
            assertEquals(serverChecksum("run-a", image, Integer.parseInt(bars.get(0).getDomAttribute("data-index"))),
                    pageChecksum(overlay), "the overlay shown is the explain route's PNG of the predicted class");
        }

        WebElement card = cards.get(0);
        WebElement second = card.findElements(By.className("bar")).get(1);
        String secondClass = second.getDomAttribute("data-class");
        long before = pageChecksum(card.findElement(By.className("overlay")));
        second.click();
        waiting().until(d -> secondClass.equals(card.getDomAttribute("data-explained")));
        WebElement overlay = card.findElement(By.className("overlay"));
        assertEquals(serverChecksum("run-a", cat, Integer.parseInt(second.getDomAttribute("data-index"))),
                pageChecksum(overlay), "the overlay is now the second class's");
        assertNotEquals(before, pageChecksum(overlay));
        assertEquals("Grad-CAM: " + secondClass, card.findElement(By.className("cam")).getText());
        assertTrue(second.getDomAttribute("class").contains("explained"));
        // Kept for people to look at (the closing notes describe it); nothing is asserted on it.
        Files.write(Path.of("target", "page-screenshot.png"),
                ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES));

        select.selectByVisibleText("plain");
        List<WebElement> plainCards = done("plain", 2);
        assertTrue(driver.findElements(By.cssSelector(".card[data-model='run-a']")).isEmpty());
        assertEquals(predicted(plainModel, cat), plainCards.get(0).getDomAttribute("data-predicted"));
        assertEquals(predicted(plainModel, ship), plainCards.get(1).getDomAttribute("data-predicted"));
        assertFalse(driver.findElement(By.id("report-link")).isDisplayed(), "a plain model file has no report");

        driver.findElement(By.id("show-summary")).click();
        WebElement summary = driver.findElement(By.id("summary"));
        waiting().until(d -> summary.isDisplayed());
        assertEquals("plain", summary.getDomAttribute("data-model"));
        assertEquals(server.batcher("plain").model().summary().strip(), summary.getText().strip());

        assertEquals(List.of(), consoleProblems(), "the browser console");
    }

    /** Warnings and errors the browser console received since the last call (the log is read once). */
    static List<String> consoleProblems() {
        List<String> problems = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
                problems.add(e.getLevel() + " " + e.getMessage());
            }
        }
        return problems;
    }

    /**
     * Three JPEGs and a text file named like one, chosen together: the failed card showed two
     * broken-image icons with their alt text and text written for curl users ("send the image
     * file's bytes as they are"), and the status said "4 image(s) classified". Now the card says
     * in plain words why the file could not be read, shows no image that did not load, and the
     * status counts both outcomes.
     */
    @Test
    void aFileThatIsNotAnImageGetsACardSayingWhyAndTheStatusCountsBothOutcomes() throws Exception {
        List<Path> jpegs = new ArrayList<>();
        for (String c : List.of("cat", "ship", "dog")) {
            jpegs.add(SAMPLE.resolve("val").resolve(c).resolve(first(SAMPLE.resolve("val").resolve(c))));
        }
        Path text = Files.writeString(dir.resolve("holiday.jpg"), "Dear Sam, the photos are in the shared folder.\n");
        driver.get(server.url() + "/");
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getDomAttribute("data-ready")));
        driver.findElement(By.id("files")).sendKeys(jpegs.get(0).toAbsolutePath() + "\n" + text.toAbsolutePath()
                + "\n" + jpegs.get(1).toAbsolutePath() + "\n" + jpegs.get(2).toAbsolutePath());
        By cards = By.cssSelector(".card[data-model='run-a']");
        waiting().until(d -> d.findElements(cards).size() == 4 && d.findElements(cards).stream()
                .allMatch(e -> List.of("done", "error").contains(e.getDomAttribute("data-state"))));
        waiting().until(d -> !d.findElement(By.id("status")).getText().startsWith("classifying"));
        List<WebElement> all = driver.findElements(cards);
        assertEquals(List.of("done", "error", "done", "done"), all.stream().map(e -> e.getDomAttribute("data-state"))
                .toList(), "the cards in the order chosen");
        assertEquals("run-a: 3 classified, 1 could not be read", driver.findElement(By.id("status")).getText());

        WebElement failed = all.get(1);
        String shown = failed.getText();
        assertTrue(shown.contains("holiday.jpg"), "the card names the file: " + shown);
        assertTrue(shown.contains("could not be read as an image") && shown.contains("not a JPEG, PNG, BMP or GIF"),
                "the card says why, in a person's words: " + shown);
        for (String curl : List.of("bytes", "send ", "request body", "part '", "415")) {
            assertFalse(shown.contains(curl), "no words for curl users ('" + curl + "') on the card: " + shown);
        }
        Number broken = (Number) ((JavascriptExecutor) driver).executeScript("""
                return [...arguments[0].querySelectorAll('img')].filter(
                    (i) => i.getClientRects().length > 0 && !(i.complete && i.naturalWidth > 0)).length;""", failed);
        assertEquals(0, broken.intValue(), "images shown on the failed card that did not load (broken-image icons)");
        assertTrue(failed.findElements(By.className("bar")).isEmpty(), "no class bars for a file never classified");
        for (WebElement ok : List.of(all.get(0), all.get(2), all.get(3))) {
            assertEquals(5, ok.findElements(By.className("bar")).size());
            assertEquals("256", ok.findElement(By.className("overlay")).getDomProperty("naturalWidth"));
        }
        Files.write(Path.of("target", "page-failed-upload.png"),
                ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        List<String> console = consoleProblems();
        assertEquals(1, console.size(), "only the refused upload, which the browser always logs: " + console);
        assertTrue(console.get(0).contains("/v1/models/run-a/predict") && console.get(0).contains("415"), console.get(0));
    }

    private static String first(Path folder) throws IOException {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jpg")).sorted().findFirst()
                    .orElseThrow();
        }
    }
}
