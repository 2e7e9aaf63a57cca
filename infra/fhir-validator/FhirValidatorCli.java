import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * Validates FHIR R4 JSON resources with the HAPI FHIR instance validator, offline: the R4 core definitions and
 * the terminology bundled with them (FHIR 4.0.1, 2019), the common code systems HAPI knows (MIME types,
 * languages, UCUM, ...), no terminology server (so LOINC and SNOMED CT codes are not checked against their
 * code systems).
 *
 * <pre>
 * java -cp 'classes:libs/*' FhirValidatorCli PATH...   batch: every *.json file under each PATH (file or folder)
 * java -cp 'classes:libs/*' FhirValidatorCli --serve   long-lived: one PATH per line on stdin, answered in turn
 * </pre>
 *
 * Output, one JSON object per line on stdout: per file {"file", "issues": [{"severity",
 * "messageId", "location", "line", "col", "message"}]}, then {"done": true, "files", "errors", "warnings", "ms"}
 * after each batch (in --serve mode after each stdin line). Exit status 0 when every file could be read and
 * validated (whatever the issues), 2 otherwise.
 */
public final class FhirValidatorCli {
  private final FhirValidator validator;
  private final PrintStream out;

  private FhirValidatorCli(PrintStream out) {
    FhirContext context = FhirContext.forR4Cached();
    ValidationSupportChain support =
        new ValidationSupportChain(
            new DefaultProfileValidationSupport(context),
            new CommonCodeSystemsTerminologyService(context),
            new InMemoryTerminologyServerValidationSupport(context),
            new SnapshotGeneratingValidationSupport(context));
    FhirInstanceValidator instanceValidator = new FhirInstanceValidator(support);
    // Extensions radflow defines are not published as StructureDefinitions: reported as information, not errors.
    instanceValidator.setAnyExtensionsAllowed(true);
    this.validator = context.newValidator().registerValidatorModule(instanceValidator);
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    // Our stdout is the protocol: nothing else may print there (HAPI logs through slf4j-nop).
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(new PrintStream(System.err, true, StandardCharsets.UTF_8));
    if (args.length == 0) {
      System.err.println("usage: FhirValidatorCli PATH... | FhirValidatorCli --serve");
      System.exit(2);
    }
    FhirValidatorCli cli = new FhirValidatorCli(out);
    boolean ok = true;
    if (args.length == 1 && args[0].equals("--serve")) {
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) ok &= cli.batch(List.of(line.trim()));
      }
    } else {
      ok = cli.batch(List.of(args));
    }
    System.exit(ok ? 0 : 2);
  }

  private boolean batch(List<String> paths) {
    long started = System.nanoTime();
    int files = 0;
    int errors = 0;
    int warnings = 0;
    boolean ok = true;
    for (String path : paths) {
      List<Path> found;
      try {
        found = jsonFiles(Paths.get(path));
      } catch (IOException e) {
        out.println("{\"file\":" + json(path) + ",\"failure\":" + json(String.valueOf(e)) + "}");
        ok = false;
        continue;
      }
      for (Path file : found) {
        files++;
        try {
          ValidationResult result = validator.validateWithResult(Files.readString(file, StandardCharsets.UTF_8));
          StringBuilder line = new StringBuilder("{\"file\":").append(json(file.toString()));
          line.append(",\"issues\":[");
          boolean first = true;
          for (SingleValidationMessage message : result.getMessages()) {
            ResultSeverityEnum severity = message.getSeverity();
            if (severity == ResultSeverityEnum.ERROR || severity == ResultSeverityEnum.FATAL) errors++;
            if (severity == ResultSeverityEnum.WARNING) warnings++;
            if (!first) line.append(',');
            first = false;
            line.append("{\"severity\":").append(json(severity.getCode()));
            line.append(",\"messageId\":").append(json(message.getMessageId()));
            line.append(",\"location\":").append(json(message.getLocationString()));
            line.append(",\"line\":").append(message.getLocationLine());
            line.append(",\"col\":").append(message.getLocationCol());
            line.append(",\"message\":").append(json(message.getMessage())).append('}');
          }
          out.println(line.append("]}"));
        } catch (Exception e) {
          out.println("{\"file\":" + json(file.toString()) + ",\"failure\":" + json(String.valueOf(e)) + "}");
          ok = false;
        }
      }
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    out.println(
        "{\"done\":true,\"files\":" + files + ",\"errors\":" + errors + ",\"warnings\":" + warnings
            + ",\"ms\":" + ms + "}");
    return ok;
  }

  private static List<Path> jsonFiles(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      if (!Files.isRegularFile(path)) throw new IOException("no such file or folder: " + path);
      return List.of(path);
    }
    try (Stream<Path> walk = Files.walk(path)) {
      List<Path> files = new ArrayList<>();
      walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json"))
          .sorted()
          .forEach(files::add);
      return files;
    }
  }

  /** A JSON string literal (or null). */
  private static String json(String value) {
    if (value == null) return "null";
    StringBuilder s = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) s.append(String.format("\\u%04x", (int) c));
          else s.append(c);
        }
      }
    }
    return s.append('"').toString();
  }
}
