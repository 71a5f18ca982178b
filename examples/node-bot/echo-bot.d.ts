export {};
//# sourceMappingURL=echo-bot.d.ts.map