import MVService

await MVServiceCommand.main()
