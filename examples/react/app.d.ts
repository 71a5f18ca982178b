/** A chat between the tabs that open the same `?room=…`, on {@link useRoom}. */
export declare function App({ url, room }: {
    readonly url: string;
    readonly room: string;
}): import("react").JSX.Element;
//# sourceMappingURL=app.d.ts.map