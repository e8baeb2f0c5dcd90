/**
 * Health checks of an AMQP 0-9-1 broker.
 * - `amqpLogin` opens a connection as a user, on its virtual host, and closes it: the broker serves and
 *   knows that user.
 * - `amqpServes` needs no credentials (for a broker whose users this process does not have): it sends the
 *   protocol header and waits for the broker's first method, connection.start (frame type 1 on channel 0,
 *   class 10, method 10). RabbitMQ opens its listeners last, so an answer means it has booted. A broker of
 *   another protocol version answers with its own header instead: not serving. RabbitMQ logs the abrupt
 *   close that follows as a warning, hence the login wherever credentials exist.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { connect as amqpConnect } from 'amqplib';

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]); // "AMQP" 0 0-9-1
const FRAME_METHOD = 1;
const CONNECTION_CLASS = 10;
const CONNECTION_START = 10;

export function amqpServes(target: { protocol: 'amqp' | 'amqps'; hostname: string; port: number }, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket: Socket =
      target.protocol === 'amqps'
        ? tlsConnect({ host: target.hostname, port: target.port, servername: target.hostname })
        : tcpConnect({ host: target.hostname, port: target.port });
    let received = Buffer.alloc(0);
    const done = (ok: boolean) => {
      socket.destroy();
      resolvePromise(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once(target.protocol === 'amqps' ? 'secureConnect' : 'connect', () => socket.write(PROTOCOL_HEADER));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 11) return;
      // frame: type (1) · channel (2) · size (4) · payload: class id (2) · method id (2) …
      done(received[0] === FRAME_METHOD && received.readUInt16BE(1) === 0 && received.readUInt16BE(7) === CONNECTION_CLASS && received.readUInt16BE(9) === CONNECTION_START);
    });
    socket.once('error', () => done(false));
    socket.once('end', () => done(false));
  });
}

export async function amqpLogin(
  target: { protocol: 'amqp' | 'amqps'; hostname: string; port: number; vhost: string; username: string; password: string },
  timeoutMs = 2_000,
): Promise<boolean> {
  try {
    const connection = await amqpConnect({ ...target, heartbeat: 0 }, { timeout: timeoutMs, clientProperties: { connection_name: 'coord-stack-health' } });
    connection.on('error', () => undefined); // the close below reports it
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
