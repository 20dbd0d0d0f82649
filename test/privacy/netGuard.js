'use strict';
/**
 * The offline guarantee's enforcer: a Node preload (`node --require test/privacy/netGuard.js`, or in NODE_OPTIONS)
 * that lets a process reach loopback only. Any other destination — a TCP/TLS connect or a DNS lookup of a name
 * that is not localhost — is refused with an ECONNREFUSED error and recorded as one JSON line
 * {host, port, via, pid, proc, stack} in the file named by FOUNDRY_LAB_NET_LOG (stderr when unset); each guarded
 * process also writes one {event: 'loaded', pid, proc} line there.
 *
 * Choke points: net.Socket.prototype.connect (net.connect, net.createConnection, tls.connect, http(s).request and
 * fetch/undici all end there), net.connect / tls.connect themselves, and dns.lookup / dns.promises.lookup.
 * Unix sockets and named pipes (`path`) are local and allowed. Plain JS: it is loaded before any compiler.
 */
const net = require('net');
const tls = require('tls');
const dns = require('dns');
const fs = require('fs');

const LOG = process.env.FOUNDRY_LAB_NET_LOG;
const REFUSED = Symbol('netGuardRefused');

function isLoopback(host) {
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function record(host, port, via) {
  const entry = { host: String(host), port: port === undefined ? undefined : Number(port), via, pid: process.pid, proc: process.argv.slice(1).join(' ').slice(0, 300), stack: new Error('netGuard').stack.split('\n').slice(2).join('\n') };
  const line = JSON.stringify(entry) + '\n';
  try {
    if (LOG) fs.appendFileSync(LOG, line);
    else process.stderr.write(`[netGuard] refused ${via} ${entry.host}:${entry.port}\n`);
  } catch {
    /* never let the guard itself break the process */
  }
}

function refusal(host, port) {
  const err = new Error(`connect ECONNREFUSED ${host}:${port} (blocked by netGuard: not loopback)`);
  err.code = 'ECONNREFUSED';
  err.errno = -111;
  err.syscall = 'connect';
  err.address = String(host);
  err.port = port;
  return err;
}

/** The destination of connect(...) arguments, in any of Node's forms (options, [options, cb] normalized, port/host, path). */
function destination(args) {
  let a = args[0];
  if (Array.isArray(a)) a = a[0];
  if (a && typeof a === 'object') {
    if (a.path !== undefined && a.path !== null) return undefined; // IPC
    return { host: a.host || a.hostname || 'localhost', port: a.port };
  }
  if (typeof a === 'string' && !/^\d+$/.test(a)) return undefined; // a path: IPC
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: a };
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const d = destination(args);
  if (d && !isLoopback(d.host)) {
    if (!this[REFUSED]) record(d.host, d.port, this instanceof tls.TLSSocket ? 'tls' : 'net');
    this[REFUSED] = true;
    const err = refusal(d.host, d.port);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return originalConnect.apply(this, args);
};

function wrapFactory(mod, name, via) {
  const original = mod[name];
  mod[name] = function guardedFactory(...args) {
    const d = destination(args);
    if (d && !isLoopback(d.host)) {
      record(d.host, d.port, via);
      // Let the factory build its socket: the guarded prototype.connect refuses it (recorded once, here).
      const socketProto = via === 'tls' ? tls.TLSSocket.prototype : net.Socket.prototype;
      const mark = Object.getOwnPropertyDescriptor(socketProto, REFUSED);
      Object.defineProperty(socketProto, REFUSED, { value: true, configurable: true, writable: true });
      try {
        return original.apply(this, args);
      } finally {
        if (mark) Object.defineProperty(socketProto, REFUSED, mark);
        else delete socketProto[REFUSED];
      }
    }
    return original.apply(this, args);
  };
}
wrapFactory(net, 'connect', 'net');
wrapFactory(net, 'createConnection', 'net');
wrapFactory(tls, 'connect', 'tls');

function lookupRefusal(hostname) {
  const err = new Error(`getaddrinfo ECONNREFUSED ${hostname} (blocked by netGuard: not loopback)`);
  err.code = 'ECONNREFUSED';
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

const originalLookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  if (hostname && !isLoopback(hostname) && net.isIP(String(hostname)) === 0) {
    record(hostname, undefined, 'dns');
    process.nextTick(() => cb(lookupRefusal(hostname)));
    return {};
  }
  return originalLookup.apply(this, arguments);
};
const originalPromisesLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromisesLookup(hostname, ...rest) {
  if (hostname && !isLoopback(hostname) && net.isIP(String(hostname)) === 0) {
    record(hostname, undefined, 'dns');
    return Promise.reject(lookupRefusal(hostname));
  }
  return originalPromisesLookup.call(this, hostname, ...rest);
};

// One line per guarded process, so a test can tell which processes ran under the guard (attempt lines have no `event`).
if (LOG) {
  try {
    fs.appendFileSync(LOG, JSON.stringify({ event: 'loaded', pid: process.pid, proc: process.argv.slice(1).join(' ').slice(0, 300) }) + '\n');
  } catch {
    /* ignore */
  }
}

module.exports = { isLoopback };
