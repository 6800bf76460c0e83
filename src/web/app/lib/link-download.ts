// Downloads from a secret link opened without an account: the client worker feeds a MessagePort from
// the opened link (linkDownload) and the download service worker streams it to disk, as the drive's
// downloads do (lib/downloads.ts); without a controlling service worker it is saved from a Blob.
import { streamFromPort } from '../../shared/download-port.ts'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { RegisterDownload } from '../../sw/download-sw.ts'
import { downloadWorker, saveBlob } from './downloads.ts'
import type { WorkerRpc } from './worker-rpc.ts'

/** Starts saving a file of the opened secret link; resolves once the browser has taken the download over. */
export async function downloadFromLink(rpc: WorkerRpc, entry: Entry): Promise<void> {
  const channel = new MessageChannel()
  const feeding = rpc.call('linkDownload', { path: entry.path, port: channel.port1 })
  const sw = await downloadWorker()
  if (sw === undefined) {
    const blob = await new Response(streamFromPort(channel.port2)).blob()
    await feeding
    saveBlob(blob, entry.name)
    return
  }
  const id = crypto.randomUUID()
  const ack = new MessageChannel()
  const registered = new Promise<void>((resolve) => { ack.port1.onmessage = () => resolve() })
  const message: RegisterDownload = { kind: 'register-download', id, name: entry.name, size: entry.size, mimeType: entry.mimeType, port: channel.port2, ack: ack.port2 }
  sw.postMessage(message, [channel.port2, ack.port2])
  await registered
  ack.port1.close()
  const frame = document.createElement('iframe')
  frame.hidden = true
  frame.title = 'download'
  frame.src = new URL(`download/${id}/${encodeURIComponent(entry.name)}`, document.baseURI).href
  document.body.append(frame)
  feeding.finally(() => setTimeout(() => frame.remove(), 1000)).catch(() => {})
}
