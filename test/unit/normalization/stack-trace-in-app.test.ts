/** The in-app rules (LIBRARY_FRAMES), frame by frame: what is the app's code and what is not. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isInApp } from '../../../src/services/normalization/stack-trace/in-app.js';
import { frame, type Language } from '../../../src/services/normalization/stack-trace/model.js';

function check(language: Language, cases: Array<[functionName: string, path: string, inApp: boolean]>): void {
  for (const [functionName, path, inApp] of cases) {
    test(`${inApp ? 'in-app' : 'library'}: ${functionName} ${path}`, () => {
      assert.equal(isInApp(language, frame(functionName, path, path)), inApp);
    });
  }
}

describe('in-app: Java', () => {
  check('java', [
    ['com.acme.payment.GatewayClient.charge', 'GatewayClient.java', true],
    ['io.acme.kafka.OrderListener.onMessage', 'OrderListener.java', true], // not io.netty., not org.apache.
    ['java.lang.Thread.run', 'Thread.java', false],
    ['jdk.internal.reflect.DirectMethodHandleAccessor.invoke', 'DirectMethodHandleAccessor.java', false],
    ['sun.nio.ch.Net.pollConnect', 'Native Method', false],
    ['org.springframework.web.client.RestTemplate.doExecute', 'RestTemplate.java', false],
    ['org.apache.kafka.clients.producer.KafkaProducer.send', 'KafkaProducer.java', false],
    ['org.apache.catalina.core.ApplicationFilterChain.doFilter', 'ApplicationFilterChain.java', false],
    ['io.netty.channel.nio.NioEventLoop.run', 'NioEventLoop.java', false],
    ['com.zaxxer.hikari.pool.HikariPool.getConnection', 'HikariPool.java', false],
    ['kotlinx.coroutines.DispatchedTask.run', 'DispatchedTask.kt', false],
    ['com.acme.orders.OrderRepository$$Lambda.apply', 'Unknown Source', false],
    ['com.acme.users.UserService$$SpringCGLIB$$.register', '<generated>', false],
    ['jdk.proxy2.$Proxy.save', 'Unknown Source', false],
    ['com.acme.Order$HibernateProxy.getId', 'Unknown Source', false],
  ]);
});

describe('in-app: .NET', () => {
  check('dotnet', [
    ['Acme.Payments.GatewayClient.ChargeAsync', '/src/GatewayClient.cs', true],
    ['Program.<Main>$', '', true],
    ['System.Net.Http.HttpClient.SendAsync', '', false],
    ['Microsoft.EntityFrameworkCore.DbContext.SaveChangesAsync', '', false],
    ['Npgsql.NpgsqlCommand.ExecuteReader', '', false],
    ['Newtonsoft.Json.JsonConvert.DeserializeObject', '', false],
    ['lambda_method15', '', false],
  ]);
});

describe('in-app: Node.js', () => {
  check('node', [
    ['calculateTotal', '/app/src/orders/pricing.js', true],
    ['loadConfig', 'file:///srv/api/dist/config.mjs', true],
    ['flatten', 'C:\\projects\\shop\\src\\tree.js', true],
    ['PgPool.connect', '/app/node_modules/pg-pool/index.js', false],
    ['resolve', '/app/node_modules/.pnpm/express@4.19.2/node_modules/express/lib/router/index.js', false],
    ['x', 'C:\\app\\node_modules\\lodash\\lodash.js', false],
    ['handler', '/app/.yarn/cache/fastify-npm-4.26.0-ab12cd.zip/node_modules/fastify/lib/route.js', false],
    ['new NodeError', 'node:internal/errors', false],
    ['TCPConnectWrap.afterConnect [as oncomplete]', 'node:net', false],
    ['emitErrorNT', 'internal/streams/destroy.js', false], // Node ≤ 14
    ['TLSSocket.emit', 'events.js', false], // Node ≤ 14
    ['Array.reduce', '<anonymous>', false],
    ['Promise.all', 'index 2', false],
  ]);
});

describe('in-app: Python', () => {
  check('python', [
    ['charge', '/srv/app/payments/gateway.py', true],
    ['<module>', '/app/worker/main.py', true],
    ['load_config', 'C:\\build\\s\\tools\\sync\\config.py', true],
    ['send', '/usr/local/lib/python3.12/site-packages/requests/adapters.py', false],
    ['execute', '/usr/lib/python3/dist-packages/apt/cache.py', false],
    ['run', '/home/u/.pyenv/versions/3.11.4/lib/python3.11/asyncio/runners.py', false],
    ['raw_decode', '/usr/local/lib/python3.13t/json/decoder.py', false],
    ['run', 'C:\\Python312\\Lib\\asyncio\\runners.py', false],
    ['send', 'C:\\app\\.venv\\Lib\\site-packages\\requests\\adapters.py', false],
    ['_run_module_as_main', '<frozen runpy>', false],
    ['__init__', '<string>', false],
  ]);
});

describe('in-app: Go', () => {
  check('go', [
    ['main.main', '/src/cmd/app/main.go', true],
    ['github.com/acme/payments/internal/gateway.(*Client).Charge', '/build/internal/gateway/client.go', true],
    ['myapp/internal/session.(*Store).Get', '/go/src/myapp/internal/session/store.go', true], // module without a dot
    ['go.acme.io/billing/store.(*Invoices).ByID', 'go.acme.io/billing/store/invoices.go', true], // not the stdlib's go/…
    ['net/http.(*conn).serve', '/usr/local/go/src/net/http/server.go', false],
    ['go/parser.ParseFile', '/usr/local/go/src/go/parser/interface.go', false],
    ['encoding/json.(*decodeState).object', '/usr/local/go/src/encoding/json/decode.go', false],
    ['sync.(*WaitGroup).Add', '/usr/local/go/src/sync/waitgroup.go', false],
    ['runtime.gopanic', '/usr/local/go/src/runtime/panic.go', false],
    ['panic', '/usr/local/go/src/runtime/panic.go', false],
    ['testing.tRunner', '/usr/local/go/src/testing/testing.go', false],
    ['github.com/gin-gonic/gin.(*Context).Next', '/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go', false],
    ['github.com/jackc/pgx/v5/pgxpool.(*Pool).Acquire', 'github.com/jackc/pgx/v5@v5.5.5/pgxpool/pool.go', false],
    ['github.com/lib/pq.(*conn).query', '/app/vendor/github.com/lib/pq/conn.go', false],
    ['go.uber.org/zap.(*Logger).Panic', '/root/go/pkg/mod/go.uber.org/zap@v1.27.0/logger.go', false],
  ]);
});

describe('in-app: Ruby', () => {
  check('ruby', [
    ['Order#total', '/app/app/models/order.rb', true],
    ['set_order', 'app/controllers/orders_controller.rb', true],
    ['Object#main_loop', '/srv/script.rb', true], // Ruby 3.4: a method defined at the top level
    ['FileUploader#store', '/app/app/uploaders/file_uploader.rb', true], // not File#
    ['call', '/usr/local/bundle/gems/rack-3.0.8/lib/rack/builder.rb', false],
    ['execute_job', '/srv/app/vendor/bundle/ruby/3.2.0/gems/sidekiq-7.2.0/lib/sidekiq/processor.rb', false],
    ['connect', '/usr/local/lib/ruby/3.3.0/socket.rb', false],
    ['exec', 'activerecord (7.1.3) lib/active_record/connection_adapters/postgresql/database_statements.rb', false],
    ['Kernel#loop', '<internal:kernel>', false],
    ['Hash#fetch', '/srv/worker/lib/config_loader.rb', false],
    ['Integer#times', '/app/lib/retry.rb', false],
  ]);
});

describe('in-app: PHP', () => {
  check('php', [
    ['App\\Money\\Currency::fromCode', '/var/www/app/src/Money/Currency.php', true],
    ['{main}', '/var/www/app/public/index.php', true],
    ['Illuminate\\Database\\Connection->runQueryCallback', '/var/www/html/vendor/laravel/framework/src/Illuminate/Database/Connection.php', false],
    ['array_map', '[internal function]', false],
    ['Composer\\Console\\Application->run', 'phar:///usr/local/bin/composer/src/Composer/Console/Application.php', false],
  ]);
});
