// window.__twinspace: a small read-only view of the app for tests and curious developers.
// Getters only; nothing here changes the app.

export function installDebugHook(app) {
  const panelEntries = () => {
    const twin = app.twin
    const snapshot = app.live?.snapshot || { panels: {} }
    return Object.values(snapshot.panels || {}).map((p) => {
      const view = twin?.panels.get(p.id)
      const screen = view?.content || null
      const shown = view ? view.group.position : null
      return {
        id: p.id,
        content: p.content,
        title: app.catalog?.title(p.content) || p.content,
        room: p.room,
        surface: p.surface,
        size_preset: p.size_preset,
        position: p.pose?.position || null,
        rotation: p.pose?.rotation || null,
        shownAt: shown ? [shown.x, shown.y, shown.z] : null,
        screen: view && twin ? twin.project(p.pose.position) : null,
        hasVideo: !!screen?.hasVideo,
        currentTime: screen?.currentTime ?? null,
        playing: !!screen?.playing,
        focused: twin?.focused === p.id,
        group: screen?.groupLines?.() || null, // who watches together with it (watch-group.js)
        cowatch: !!screen?.playingAlong,
      }
    })
  }
  const hook = Object.freeze({
    get mode() {
      return app.mode
    },
    get ready() {
      return !!app.ready
    },
    get connected() {
      return !!app.live?.connected
    },
    get home() {
      return app.device?.home || null
    },
    get space() {
      return app.space || null
    },
    get person() {
      return app.device?.person || null
    },
    get clientId() {
      return app.live?.clientId ?? null
    },
    get panels() {
      return panelEntries()
    },
    get devices() {
      const snapshot = app.live?.snapshot || { devices: {} }
      return Object.values(snapshot.devices || {}).map((d) => ({
        id: d.id, kind: d.kind, room: d.room, name: d.name, on: !!d.state?.on,
        brightness: d.state?.brightness ?? null, playing: d.state?.playing ?? null, hasPose: !!d.pose,
      }))
    },
    get avatars() {
      // presence as it arrived, beside what the scene draws for it (./scene/avatars.js)
      const drawn = new Map((app.twin?.people.describe().avatars || []).map((a) => [a.client, a]))
      return (app.live?.others || []).map((o) => {
        const a = drawn.get(o.client)
        return {
          client: o.client, person: o.person || null, device: o.device || null, kind: o.kind || null,
          room: o.room || null, seat: o.seat || null, head: o.head || null, shown: !!a?.visible,
          name: a?.name ?? null, shownAt: a?.position ?? null, shownYaw: a?.yaw_deg ?? null,
        }
      })
    },
    get screens() {
      // the TVs' (a space's screen's) players: what they play, where, whether the hub's clock
      // leads (a watch group, a space) and the player's estimate of it
      return [...(app.twin?.devices.values() || [])].filter((v) => v.screen).map((v) => ({
        target: v.screen.target, ref: v.screen.ref, currentTime: v.screen.currentTime,
        playing: v.screen.playing, cowatch: v.screen.playingAlong,
        clock: v.screen.cowatch ? { offset: v.screen.cowatch.offset, roundTrip: v.screen.cowatch.roundTrip } : null,
        members: v.screen.members.map((m) => ({ person: m.person, state: m.state })),
      }))
    },
    /** A TV's [[local wall time s, position]] on the hub's clock since `since` (what was on screen when). */
    screenSamples(target, since = 0) {
      return app.twin?.devices.get(target)?.screen?.samples(since) || []
    },
    get seats() {
      return app.twin ? app.twin.people.describe().seats : []
    },
    get scene() {
      const twin = app.twin
      if (!twin) return null
      let meshes = 0
      twin.scene.traverse((o) => (meshes += o.isMesh ? 1 : 0))
      return {
        rooms: (twin.rooms || []).map((r) => r.id),
        surfaces: twin.surfaces.size,
        meshes,
        avatarsDrawn: twin.people.avatars.size, // avatars in the scene (`avatars` is presence as it arrived)
        view: twin.view,
        focused: twin.focused,
        viewer: twin.viewer(),
        canvas: { width: twin.renderer.domElement.width, height: twin.renderer.domElement.height },
      }
    },
    get xr() {
      const twin = app.twin
      const controls = []
      for (const view of [...(twin?.panels.values() || []), ...(twin?.devices.values() || [])]) {
        for (const mesh of view.xrControls?.children || []) {
          const p = mesh.getWorldPosition(mesh.position.clone())
          controls.push({ ...mesh.userData.xrButton, position: [p.x, p.y, p.z] })
        }
      }
      return {
        supported: app.xr ? { ...app.xr.supported } : { ar: false, vr: false },
        presenting: !!twin?.renderer.xr.isPresenting,
        mode: app.xr?.mode || null,
        controls, // the buttons drawn under the focused panel (or TV) in the headset
        talk: app.xr?.talkView ?? null, // push-to-talk in the headset: ray colour, labels, captions
        abilities: app.xr?.session ? app.xr.abilities : null, // plane/mesh detection, anchors in this session
        alignment: app.xr?.alignment ?? null, // how the twin is lined up with the room (./scene/capture.js)
        lastCapture: app.xr?.lastCapture ?? null, // what the last room capture saw, and the hub's answer
        panelsShown: twin ? twin.panelGroup.visible : null, // hidden while the twin is not lined up with the room
      }
    },
    get nowPlaying() {
      return app.nowPlaying ? app.nowPlaying() : null
    },
    /** Where a world point [x, y, z] is on the page (CSS px): a pure computation. */
    project(position) {
      return app.twin ? app.twin.project(position) : null
    },
    get errors() {
      return [...(app.errors || [])]
    },
  })
  Object.defineProperty(window, '__twinspace', { value: hook, configurable: false, writable: false, enumerable: false })
}
