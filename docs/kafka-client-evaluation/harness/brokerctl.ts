import { brokerPid, ensureBroker, killBroker } from './broker.js';
const cmd = process.argv[2];
if (cmd === 'start') console.log('ready, pid', await ensureBroker());
else if (cmd === 'stop') { const pid = brokerPid(); if (pid) { process.kill(pid, 'SIGTERM'); console.log('SIGTERM', pid); } }
else if (cmd === 'kill') { const pid = brokerPid(); if (pid) killBroker(pid); }
else console.log('pid', brokerPid());
process.exit(0);
