/**
 * In-app frames, as Sentry's in-app rules understand them: a frame is the application's own code unless
 * it belongs to the runtime, the standard library, a well-known library, or code generated at run time.
 * One table, per language; everything here is data, matched by plain prefix/substring tests (and a few
 * anchored patterns), so the answer depends on the frame alone: deterministic and linear.
 *
 * The table is part of the fingerprint: adding an entry can move an existing incident's
 * firstStackFrame (from a library frame to its caller in the app), i.e. split it once. Add entries for
 * libraries, never for applications, and say so in the change.
 */
import type { Frame, Language } from './model.js';

interface LibraryRules {
  /** The function name (qualified as printed) starts with one of these. */
  readonly functionPrefixes?: readonly string[];
  /** The function name contains one of these (generated code). */
  readonly functionIncludes?: readonly string[];
  /** Go: the first element of the function's package path is one of these. */
  readonly packageRoots?: ReadonlySet<string>;
  /** The path, with `\` read as `/`, contains one of these. */
  readonly pathIncludes?: readonly string[];
  /** The path (with `\` read as `/`) matches one of these; anchored or bounded, never backtracking. */
  readonly pathPatterns?: readonly RegExp[];
}

const JAVA_LIBRARIES: readonly string[] = [
  // The JDK and the JVM languages' runtimes.
  'java.', 'javax.', 'jakarta.', 'jdk.', 'sun.', 'com.sun.', 'kotlin.', 'kotlinx.', 'scala.', 'groovy.',
  'org.codehaus.groovy.', '_COROUTINE.',
  // Frameworks, servers and their plumbing.
  'org.springframework.', 'org.hibernate.', 'org.apache.', 'io.netty.', 'reactor.', 'io.reactivex.',
  'rx.', 'org.reactivestreams.', 'org.eclipse.jetty.', 'io.undertow.', 'org.glassfish.', 'org.jboss.',
  'io.quarkus.', 'io.micronaut.', 'io.vertx.', 'io.dropwizard.', 'akka.', 'org.aspectj.', 'net.bytebuddy.',
  'com.google.common.', 'com.google.inject.', 'com.google.protobuf.', 'com.google.gson.', 'io.grpc.',
  'feign.', 'retrofit2.', 'okhttp3.', 'okio.', 'com.fasterxml.', 'org.yaml.snakeyaml.', 'org.slf4j.',
  'ch.qos.logback.', 'io.micrometer.', 'io.opentelemetry.', 'brave.', 'io.github.resilience4j.',
  'com.netflix.', 'org.thymeleaf.', 'freemarker.', 'graphql.', 'org.junit.', 'org.mockito.', 'org.testng.',
  // Data access: pools, drivers, clients.
  'com.zaxxer.hikari.', 'org.postgresql.', 'com.mysql.', 'org.mariadb.', 'oracle.jdbc.',
  'com.microsoft.sqlserver.', 'org.h2.', 'org.hsqldb.', 'org.jooq.', 'org.mybatis.', 'org.flywaydb.',
  'liquibase.', 'com.mongodb.', 'org.bson.', 'io.lettuce.', 'redis.clients.', 'org.redisson.',
  'com.datastax.', 'org.elasticsearch.', 'co.elastic.', 'com.amazonaws.', 'software.amazon.awssdk.',
  'com.rabbitmq.', 'io.confluent.',
];

/** Generated at run time: lambdas' hidden classes, proxies, reflection accessors, CGLIB and ByteBuddy subclasses. */
const JAVA_GENERATED: readonly string[] = [
  '$$Lambda', 'CGLIB$$', '$Proxy', 'GeneratedMethodAccessor', 'GeneratedConstructorAccessor',
  '$HibernateProxy', '$ByteBuddy$', '$MockitoMock$', '$$_javassist',
];

const DOTNET_LIBRARIES: readonly string[] = [
  'System.', 'Microsoft.', 'Windows.', 'Mono.', 'Interop.',
  'Npgsql.', 'Newtonsoft.', 'Dapper.', 'Polly.', 'StackExchange.Redis.', 'MySqlConnector.', 'MySql.Data.',
  'Oracle.ManagedDataAccess.', 'Pomelo.', 'MongoDB.', 'Elasticsearch.Net.', 'Nest.', 'Confluent.Kafka.',
  'RabbitMQ.Client.', 'MassTransit.', 'Hangfire.', 'Quartz.', 'MediatR.', 'AutoMapper.', 'FluentValidation.',
  'Grpc.', 'Google.Protobuf.', 'Serilog.', 'NLog.', 'log4net.', 'Castle.', 'Autofac.', 'Swashbuckle.',
  'HotChocolate.', 'Refit.', 'RestSharp.', 'Ocelot.', 'Orleans.', 'Dapr.', 'Amazon.', 'Azure.', 'Xunit.',
  'NUnit.', 'Moq.', 'lambda_method', 'DynamicClass.',
];

/**
 * The Go standard library's top-level package names (plus `vendor` and `cmd`, its vendored and tool
 * trees, and `panic`, the builtin's own frame), matched against the first element of a function's package path (`net` for
 * `net/http.(*conn).serve`, `go.uber.org` for `go.uber.org/zap.(*Logger).Error`). Go reserves the
 * paths without a dot in their first element for the standard library; the list narrows that rule so
 * that a module named without a dot (`module myapp`) stays in-app. `main` is never a library.
 */
const GO_STANDARD_LIBRARY: ReadonlySet<string> = new Set([
  'archive', 'bufio', 'bytes', 'cmp', 'compress', 'container', 'context', 'crypto', 'database', 'debug',
  'embed', 'encoding', 'errors', 'expvar', 'flag', 'fmt', 'go', 'hash', 'html', 'image', 'index',
  'internal', 'io', 'iter', 'log', 'maps', 'math', 'mime', 'net', 'os', 'path', 'plugin', 'reflect',
  'regexp', 'runtime', 'slices', 'sort', 'strconv', 'strings', 'structs', 'sync', 'syscall', 'testing',
  'text', 'time', 'unicode', 'unique', 'unsafe', 'weak', 'vendor', 'cmd', 'panic',
]);

/**
 * Ruby ≥ 3.4 names the owner of a core method (`'Array#each'`), printed with its caller's file. Not
 * `Object`: 3.4 prints methods defined at the top level of a script as `'Object#name'`.
 */
const RUBY_CORE_CLASSES: readonly string[] = [
  'Kernel', 'BasicObject', 'Module', 'Class', 'Array', 'Hash', 'String', 'Symbol', 'Integer',
  'Float', 'Numeric', 'Rational', 'Complex', 'Range', 'Enumerable', 'Enumerator', 'Comparable', 'Proc',
  'Method', 'UnboundMethod', 'IO', 'File', 'Dir', 'Struct', 'Time', 'Thread', 'Fiber', 'Mutex', 'Regexp',
  'MatchData', 'NilClass', 'TrueClass', 'FalseClass', 'Marshal', 'ObjectSpace', 'Process', 'Signal', 'GC',
  'Warning', 'Exception', 'Data',
].flatMap((name) => [`${name}#`, `${name}.`]);

export const LIBRARY_FRAMES: Readonly<Record<Language, LibraryRules>> = {
  /** Qualified class names (the file carries no directory in Java traces). */
  java: { functionPrefixes: JAVA_LIBRARIES, functionIncludes: JAVA_GENERATED },
  /** Namespaces; `lambda_method` and `DynamicClass` are expression trees compiled at run time. */
  dotnet: { functionPrefixes: DOTNET_LIBRARIES },
  /**
   * Installed packages (npm, pnpm, Yarn PnP's cache), and anything that is not a file path: `node:…`,
   * `internal/…` and `events.js` (core modules before Node.js 16), `<anonymous>`, `native`, `index 2`
   * (Promise.all), `eval at …`.
   */
  node: {
    pathIncludes: ['/node_modules/', '/.yarn/'],
    pathPatterns: [/^(?!\/|[A-Za-z]:\/|file:|webpack:|\.\.?\/)/],
  },
  /** Installed packages, the standard library of any install (`lib/python3.12`, Windows' `Python312/Lib`), `<frozen …>`, `<string>`. */
  python: {
    pathIncludes: ['/site-packages/', '/dist-packages/', '.egg/'],
    pathPatterns: [/\/lib\/python\d+(?:\.\d+)?t?\//i, /\/python\d+\/lib\//i, /^</],
  },
  /** The standard library by package, the module cache and vendored modules by file (`-trimpath` prints `module@v1.2.3/…`). */
  go: {
    packageRoots: GO_STANDARD_LIBRARY,
    pathIncludes: ['/pkg/mod/', '/vendor/'],
    pathPatterns: [/@v\d/],
  },
  /**
   * Gems (RubyGems, Bundler, git gems), the standard library (`lib/ruby/3.3.0/`), the core's `<internal:…>`,
   * Rails' backtrace cleaner's gem notation (`actionpack (7.1.2) lib/…`), and core methods by owner.
   */
  ruby: {
    functionPrefixes: RUBY_CORE_CLASSES,
    pathIncludes: ['/gems/', '<internal:'],
    pathPatterns: [/\/ruby\/\d+\.\d+\.\d+\//, /^[\w.-]+ \([\w.-]+\) /],
  },
  /** Composer packages, functions of PHP itself, PHARs. */
  php: { pathIncludes: ['/vendor/', '[internal function]', 'phar://'] },
};

export function isInApp(language: Language, frame: Frame): boolean {
  const rules = MATCHERS[language];
  const name = frame.functionName;
  if (rules.functionPrefixes?.test(name) || rules.functionIncludes?.test(name)) return false;
  if (rules.packageRoots?.has(goPackageRoot(name))) return false;
  if (rules.pathIncludes === undefined && rules.pathPatterns === undefined) return true;
  const path = frame.path.includes('\\') ? frame.path.replaceAll('\\', '/') : frame.path;
  if (rules.pathIncludes?.test(path)) return false;
  return !rules.pathPatterns?.some((pattern) => pattern.test(path));
}

/** The table compiled once: each list of literals becomes one regex (`^(?:java\.|javax\.|…)`), tried natively. */
interface Matchers {
  readonly functionPrefixes?: RegExp;
  readonly functionIncludes?: RegExp;
  readonly packageRoots?: ReadonlySet<string>;
  readonly pathIncludes?: RegExp;
  readonly pathPatterns?: readonly RegExp[];
}

const MATCHERS: Readonly<Record<Language, Matchers>> = Object.fromEntries(
  Object.entries(LIBRARY_FRAMES).map(([language, rules]) => [
    language,
    {
      functionPrefixes: anyOf(rules.functionPrefixes, '^'),
      functionIncludes: anyOf(rules.functionIncludes, ''),
      packageRoots: rules.packageRoots,
      pathIncludes: anyOf(rules.pathIncludes, ''),
      pathPatterns: rules.pathPatterns,
    },
  ]),
) as Record<Language, Matchers>;

function anyOf(literals: readonly string[] | undefined, anchor: string): RegExp | undefined {
  if (literals === undefined) return undefined;
  return new RegExp(`${anchor}(?:${literals.map((l) => l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
}

/** `net/http.(*conn).serve` → `net`; `github.com/acme/x.F` → `github.com`; `main.main` → `main`. */
function goPackageRoot(functionName: string): string {
  const lastSlash = functionName.lastIndexOf('/');
  const dot = functionName.indexOf('.', lastSlash + 1);
  const packagePath = dot < 0 ? functionName : functionName.slice(0, dot);
  const firstSlash = packagePath.indexOf('/');
  return firstSlash < 0 ? packagePath : packagePath.slice(0, firstSlash);
}
