'use strict';
// Preloaded by io.shardwise.testkit (`node -r loopback-preload.js .../kinesis-local/main.js`).
//
// 1. kinesis-mock listens on every interface and has no setting to change that. This rewrites every TCP
//    net.Server#listen (http, https, tls and raw net servers all go through it) to bind SHARDWISE_BIND_HOST
//    (127.0.0.1) instead. Unix-socket / pipe / handle listens are left alone.
// 2. When SHARDWISE_EXIT_ON_STDIN_EOF=1, the process exits at once when its stdin closes: when the JVM closes it
//    on purpose (KinesisMock.close()), or when the JVM that started it is gone, even killed without its hooks.
const net = require('net');

const host = process.env.SHARDWISE_BIND_HOST || '127.0.0.1';
const originalListen = net.Server.prototype.listen;

function isPortLike(value) {
  return value === undefined || value === null || typeof value === 'number'
      || (typeof value === 'string' && /^\d+$/.test(value));
}

net.Server.prototype.listen = function shardwiseLoopbackListen(...args) {
  const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  const first = args[0];
  let options;
  if (first !== null && typeof first === 'object') {
    const isHandle = first._handle !== undefined || first.handle !== undefined || first.fd !== undefined;
    if (isHandle || typeof first.path === 'string') {
      return originalListen.apply(this, callback ? [...args, callback] : args);
    }
    options = Object.assign({}, first, { host });
  } else if (isPortLike(first)) {
    // listen([port[, host[, backlog]]]) or listen(port, backlog)
    options = { port: first === undefined || first === null ? 0 : Number(first), host };
    if (typeof args[2] === 'number') {
      options.backlog = args[2];
    } else if (typeof args[1] === 'number') {
      options.backlog = args[1];
    }
  } else {
    // listen(path[, backlog]): a unix socket or a named pipe, not a network port.
    return originalListen.apply(this, callback ? [...args, callback] : args);
  }
  this.once('listening', () => {
    const address = this.address();
    if (address && typeof address === 'object') {
      process.stderr.write(`[shardwise] listening on ${address.address}:${address.port}\n`);
    }
  });
  return callback ? originalListen.call(this, options, callback) : originalListen.call(this, options);
};

// kinesis-mock's runtime (cats-effect) replaces process.exit with a graceful exit that waits for open HTTP
// connections to drain (clients' keep-alive connections can hold it for many seconds). Keep the real one.
const hardExit = process.exit.bind(process);

if (process.env.SHARDWISE_EXIT_ON_STDIN_EOF === '1') {
  const exit = () => hardExit(0);
  process.stdin.on('end', exit);
  process.stdin.on('close', exit);
  process.stdin.on('error', exit);
  process.stdin.resume();
}
