// A did:plc directory (@did-plc/server, in-memory) and a Bluesky PDS (@atproto/pds, SQLite
// and blobs on disk), both listening on 127.0.0.1 only. start.sh copies this file beside
// node_modules and runs it with the Node that setup.sh chose (22.19+, which undici 8 needs).
//
// Env (all optional): PLC_PORT (2582), PDS_PORT (2583), PDS_DATA_DIRECTORY (default: a
// fresh temporary folder, removed on exit), PDS_ADMIN_PASSWORD (admin-pass), and any other
// PDS_* / LOG_* setting of @atproto/pds (LOG_ENABLED=true: JSON logs with stack traces).
// Prints PLC_URL=, PDS_URL=, PDS_DATA_DIRECTORY=, PDS_ADMIN_PASSWORD= lines, then
// "READY in N ms (pid P)" once both listen. SIGTERM or SIGINT stops both.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const started = Date.now()
const LOOPBACK = '127.0.0.1'
const plcPort = Number(process.env.PLC_PORT ?? 2582)
const pdsPort = Number(process.env.PDS_PORT ?? 2583)

// Both servers call `app.listen(port)`, which would listen on every interface.
function listenOnLoopback(server) {
  const listen = server.app.listen.bind(server.app)
  server.app.listen = (port, ...rest) => listen(port, LOOPBACK, ...rest)
}

// ---- PLC directory: the real server code over its in-memory database ----
const plcModule = await import('@did-plc/server')
const { PlcServer, Database: PlcDatabase } = plcModule.default ?? plcModule
const plc = PlcServer.create({ db: PlcDatabase.mock(), port: plcPort })
listenOnLoopback(plc)
await plc.start()
// The PDS's DID resolver refuses IP-literal hosts, so it gets a host name for the PLC.
const plcUrl = `http://localhost:${plcPort}`

// ---- PDS ----
const ownDataDirectory = process.env.PDS_DATA_DIRECTORY === undefined
const dataDirectory = ownDataDirectory
  ? fs.mkdtempSync(path.join(os.tmpdir(), 'thread-composer-pds-'))
  : process.env.PDS_DATA_DIRECTORY
fs.mkdirSync(path.join(dataDirectory, 'blocks'), { recursive: true })

async function newRotationKeyHex() {
  const { Secp256k1Keypair } = await import('@atproto/crypto')
  const keypair = await Secp256k1Keypair.create({ exportable: true })
  return Buffer.from(await keypair.export()).toString('hex')
}

const settings = {
  PDS_HOSTNAME: 'localhost', // public URL http://localhost:<port>; handles end in .test
  PDS_PORT: String(pdsPort),
  PDS_DEV_MODE: 'true', // allows plain http and the localhost host name
  PDS_DATA_DIRECTORY: dataDirectory,
  PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDirectory, 'blocks'),
  PDS_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
  PDS_ADMIN_PASSWORD: 'admin-pass',
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX:
    process.env.PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX ?? (await newRotationKeyHex()),
  PDS_DID_PLC_URL: plcUrl,
  PDS_INVITE_REQUIRED: 'false', // tests create accounts freely
  PDS_CRAWLERS: '', // no relay to notify
  LOG_ENABLED: 'false',
}
for (const [name, value] of Object.entries(settings)) {
  process.env[name] ??= value // the caller's environment wins
}
// @atproto/pds reads the environment when it is imported (its logger), so import it now.
const { PDS, readEnv, envToCfg, envToSecrets } = await import('@atproto/pds')
const env = readEnv()
const pds = await PDS.create(envToCfg(env), envToSecrets(env))
listenOnLoopback(pds)
await pds.start()

console.log(`PLC_URL=${plcUrl}`)
console.log(`PDS_URL=http://localhost:${pdsPort}`)
console.log(`PDS_DATA_DIRECTORY=${dataDirectory}`)
console.log(`PDS_ADMIN_PASSWORD=${process.env.PDS_ADMIN_PASSWORD}`)
console.log(`READY in ${Date.now() - started} ms (pid ${process.pid})`)

let stopping = false
async function stop() {
  if (stopping) return
  stopping = true
  await pds.destroy().catch(() => {})
  await plc.destroy().catch(() => {})
  if (ownDataDirectory) fs.rmSync(dataDirectory, { recursive: true, force: true })
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
