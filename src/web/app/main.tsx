// The page's entry: starts the client worker, registers the download service worker in the
// background and renders the app.
import { render } from 'preact'
import { App } from './app.tsx'
import { downloadWorker } from './lib/downloads.ts'
import { WorkerRpc } from './lib/worker-rpc.ts'

const rpc = WorkerRpc.start()
void downloadWorker()
render(<App rpc={rpc} />, document.getElementById('app')!)
