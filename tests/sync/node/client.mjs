// A stock Yjs + y-websocket client, driven by the sync tests through stdin/stdout.
//
//   node client.mjs <server-url> <room> <token> [presence-json]
//
// Prints one JSON object a line: {"event": "hello"|"status"|"synced"|"doc"|"awareness"|"connection-close"|"closed"|"ok"|"error", ...}.
// Reads one command a line: {"id", "op": "set"|"add"|"delete"|"presence"|"disconnect"|"connect"|"exit", ...}.
import * as readline from 'node:readline'
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const [serverUrl, room, token, presence] = process.argv.slice(2)
const print = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

const doc = new Y.Doc()
print({ event: 'hello', client: doc.clientID })
const roots = ['home', 'rooms', 'devices', 'panels', 'playback', 'people', 'xr_devices']
for (const name of roots) doc.getMap(name)
doc.getArray('log')
const snapshot = () => Object.fromEntries([...roots.map((name) => [name, doc.getMap(name).toJSON()]),
  ['log', doc.getArray('log').toJSON()]])

const provider = new WebsocketProvider(serverUrl, room, doc, {
  params: token ? { token } : {},
  WebSocketPolyfill: WebSocket,
  disableBc: true
})
if (presence) provider.awareness.setLocalState(JSON.parse(presence))

provider.on('status', ({ status }) => print({ event: 'status', status }))
provider.on('sync', (synced) => { if (synced) print({ event: 'synced', doc: snapshot(), client: doc.clientID }) })
provider.on('connection-close', (event) => print({ event: 'connection-close', code: event ? event.code : null }))
provider.on('closed', ({ code, reason }) => print({ event: 'closed', code, reason }))

let pending = false // one snapshot per burst of updates
doc.on('update', () => {
  if (pending) return
  pending = true
  setImmediate(() => { pending = false; print({ event: 'doc', doc: snapshot(), at: performance.timeOrigin + performance.now() }) })
})
provider.awareness.on('change', () => {
  print({ event: 'awareness', states: [...provider.awareness.getStates().entries()] })
})

const ops = {
  set: ({ root, key, field, value }) => doc.getMap(root).get(key).set(field, value),
  add: ({ root, key, value }) => doc.getMap(root).set(key, new Y.Map(Object.entries(value))),
  delete: ({ root, key }) => doc.getMap(root).delete(key),
  presence: ({ state }) => provider.awareness.setLocalState(state),
  disconnect: () => provider.disconnect(),
  connect: () => provider.connect(),
  exit: () => { provider.destroy(); setImmediate(() => process.exit(0)) }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line)
  try {
    ops[command.op](command)
    print({ event: 'ok', id: command.id })
  } catch (e) {
    print({ event: 'error', id: command.id, message: String(e) })
  }
}).on('close', () => ops.exit())
