import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Severity;
import ca.uhn.hl7v2.model.AbstractGroup;
import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.GenericMessage;
import ca.uhn.hl7v2.model.Group;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.parser.EncodingCharacters;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.parser.UnexpectedSegmentBehaviourEnum;
import ca.uhn.hl7v2.validation.CollectingValidationExceptionHandler;
import ca.uhn.hl7v2.validation.ValidationException;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads every *.hl7 file in a folder with HAPI HL7v2 (an HL7 v2 library independent of radflow) and prints one JSON
 * object: for each file, the errors and warnings (parse failures, HAPI's default validation rules, and checks
 * against HAPI's own model of the version: required segments and fields, cardinality, field lengths, segments
 * the structure has no place for) and every segment as HAPI placed it (group path, fields by position).
 *
 * Run with the jars of libs/hl7/conformance/hapi/pom.xml: java -cp '.cache/hapi/libs/*' HapiCheck.java <folder>
 * Messages may hold patient data: this prints them to stdout for the calling test only, never to a log.
 */
public class HapiCheck {
  public static void main(String[] args) throws Exception {
    File[] files = new File(args[0]).listFiles((dir, name) -> name.endsWith(".hl7"));
    Arrays.sort(files);
    StringBuilder out = new StringBuilder("{");
    for (int i = 0; i < files.length; i++) {
      if (i > 0) out.append(',');
      String text = new String(Files.readAllBytes(files[i].toPath()), StandardCharsets.UTF_8);
      out.append(json(files[i].getName())).append(':').append(check(text));
    }
    System.out.print(out.append('}'));
  }

  static final class Collector extends CollectingValidationExceptionHandler<Boolean> {
    Collector(HapiContext context) {
      super(context);
      setMinimumSeverityToCollect(Severity.WARNING);
    }

    public Boolean result() {
      return !hasFailed();
    }
  }

  static String check(String text) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<String> segments = new ArrayList<>();
    String structure = null;
    try (HapiContext context = new DefaultHapiContext()) {
      context.setValidationContext(ValidationContextFactory.defaultValidation());
      // Parse without stopping at the first rule broken; the validator below reports every one.
      context.getParserConfiguration().setValidating(false);
      context.getParserConfiguration().setUnexpectedSegmentBehaviour(UnexpectedSegmentBehaviourEnum.ADD_INLINE);
      PipeParser parser = context.getPipeParser();
      Message message = parser.parse(text);
      if (message instanceof GenericMessage) {
        // No structures jar for this version (see pom.xml): HAPI read it without a model, so it checked nothing.
        errors.add("parse: HAPI HL7v2 has no model of version " + message.getVersion());
        return result(errors, warnings, null, segments);
      }
      structure = message.getName();
      Collector collector = new Collector(context);
      context.<Boolean>getMessageValidator().validate(message, collector);
      for (ValidationException e : collector.getExceptions()) {
        (e.getSeverity() == Severity.WARNING || e.getSeverity() == Severity.INFO ? warnings : errors)
            .add("validation: " + e.getMessage());
      }
      walk(message, message.getName(), EncodingCharacters.getInstance(message), errors, warnings, segments);
    } catch (Exception e) {
      errors.add("parse: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return result(errors, warnings, structure, segments);
  }

  static String result(List<String> errors, List<String> warnings, String structure, List<String> segments) {
    return "{\"errors\":" + array(errors, true) + ",\"warnings\":" + array(warnings, true) + ",\"structure\":"
        + (structure == null ? "null" : json(structure)) + ",\"segments\":" + array(segments, false) + "}";
  }

  static void walk(Group group, String path, EncodingCharacters enc, List<String> errors, List<String> warnings,
      List<String> segments) throws HL7Exception {
    for (String name : group.getNames()) {
      Structure[] reps = group.getAll(name);
      List<Structure> present = new ArrayList<>();
      for (Structure s : reps) if (!s.isEmpty()) present.add(s);
      if (group instanceof AbstractGroup && ((AbstractGroup) group).getNonStandardNames().contains(name)) {
        errors.add("structure: " + path + " has no place for segment " + name);
      }
      if (group.isRequired(name) && present.isEmpty()) {
        errors.add("structure: required " + path + "/" + name + " is missing");
      }
      if (!group.isRepeating(name) && present.size() > 1) {
        errors.add("structure: " + path + "/" + name + " repeats but may not");
      }
      for (Structure s : present) {
        if (s instanceof Group) walk((Group) s, path + "/" + name, enc, errors, warnings, segments);
        else segments.add(segment((Segment) s, path + "/" + name, enc, errors, warnings));
      }
    }
  }

  static String segment(Segment segment, String path, EncodingCharacters enc, List<String> errors,
      List<String> warnings) throws HL7Exception {
    String name = segment.getName();
    StringBuilder fields = new StringBuilder("{");
    boolean first = true;
    for (int n = 1; n <= segment.numFields(); n++) {
      Type[] reps = segment.getField(n);
      List<String> values = new ArrayList<>();
      boolean filled = false;
      for (Type rep : reps) {
        // MSH-1 and MSH-2 are the delimiters themselves: their value, not an escaped encoding of it.
        boolean delimiters = name.equals("MSH") && n <= 2;
        Type value = rep instanceof Varies ? ((Varies) rep).getData() : rep;
        String er7 = delimiters && value instanceof Primitive
            ? ((Primitive) value).getValue()
            : PipeParser.encode(rep, enc);
        if (!er7.isEmpty()) filled = true;
        int max = segment.getLength(n);
        if (max > 0 && er7.length() > max && !delimiters) {
          warnings.add("length: " + name + "-" + n + " is " + er7.length() + " long, at most " + max);
        }
        List<String> parts = delimiters ? List.of(er7) : components(rep, enc);
        values.add("{\"er7\":" + json(er7) + ",\"components\":" + array(parts, true) + "}");
      }
      if (segment.isRequired(n) && !filled) errors.add("required: " + name + "-" + n + " is empty");
      int maxReps = segment.getMaxCardinality(n);
      if (maxReps > 0 && reps.length > maxReps) {
        errors.add("cardinality: " + name + "-" + n + " has " + reps.length + " repetitions, at most " + maxReps);
      }
      if (!filled) continue;
      if (!first) fields.append(',');
      first = false;
      fields.append(json(String.valueOf(n))).append(":[").append(String.join(",", values)).append(']');
    }
    return "{\"name\":" + json(name) + ",\"path\":" + json(path) + ",\"fields\":" + fields.append('}') + "}";
  }

  static List<String> components(Type type, EncodingCharacters enc) throws HL7Exception {
    Type inner = type instanceof Varies ? ((Varies) type).getData() : type;
    List<String> out = new ArrayList<>();
    if (inner instanceof Composite) {
      for (Type component : ((Composite) inner).getComponents()) out.add(PipeParser.encode(component, enc));
      while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) out.remove(out.size() - 1);
    } else {
      out.add(PipeParser.encode(inner, enc));
    }
    return out;
  }

  static String array(List<String> items, boolean quote) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) b.append(',');
      b.append(quote ? json(items.get(i)) : items.get(i));
    }
    return b.append(']').toString();
  }

  static String json(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
